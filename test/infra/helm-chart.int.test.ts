/**
 * The Helm chart (infra/helm/edgewatch): `helm lint`, then `helm template` with the default values and
 * with scaled values, and checks on the manifests: one Deployment per role with its command and replica
 * count, /healthz probes, resources, PodDisruptionBudgets, secret references and Prometheus annotations.
 *
 * helm is built once from the Go module proxy into .cache/helm/ (scripts/ensure-helm.mjs). Without Go
 * the test is skipped, saying why; under CI=true that fails instead.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHART = path.join(ROOT, 'infra/helm/edgewatch');
const ROLES = ['ingest', 'process', 'api'] as const;

function ensureHelm(): { helm: string } | { missing: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/ensure-helm.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status === 3) return { missing: 'Go is not installed, so helm cannot be built (scripts/ensure-helm.mjs)' };
  if (result.status !== 0) throw new Error(`scripts/ensure-helm.mjs failed (exit ${result.status})`);
  return { helm: result.stdout.trim() };
}

const found = ensureHelmOnce();
function ensureHelmOnce(): ReturnType<typeof ensureHelm> {
  const outcome = ensureHelm();
  if ('missing' in outcome) {
    if (process.env.CI === 'true') throw new Error(`CI=true and ${outcome.missing}`);
    process.stderr.write(`\nSKIPPING the Helm chart tests: ${outcome.missing}\n\n`);
  }
  return outcome;
}

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  env?: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
  envFrom: { configMapRef: { name: string } }[];
  startupProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
}

interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: Container[]; securityContext: { runAsNonRoot: boolean } } };
}

function helm(args: string[]): string {
  if (!('helm' in found)) throw new Error('helm is not available');
  const result = spawnSync(found.helm, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function render(...set: string[]): Manifest[] {
  const out = helm(['template', 'ew', CHART, '--namespace', 'edge', ...set.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
function deployment(manifests: Manifest[], role: string): DeploymentSpec {
  const found = byKind(manifests, 'Deployment').find((d) => d.metadata.name === `ew-edgewatch-${role}`);
  if (!found) throw new Error(`no Deployment for ${role}`);
  return found.spec as unknown as DeploymentSpec;
}
const containerOf = (d: DeploymentSpec): Container => d.template.spec.containers[0]!;
const secretRefs = (c: Container) => (c.env ?? []).map((e) => `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);

describe.skipIf(!('helm' in found))('Helm chart infra/helm/edgewatch', () => {
  let defaults: Manifest[];
  beforeAll(() => {
    defaults = render();
  });

  it('passes helm lint with the default and with scaled values', () => {
    expect(helm(['lint', '--strict', CHART])).toContain('0 chart(s) failed');
    expect(helm(['lint', '--strict', CHART, '--set', 'roles.ingest.replicas=8,roles.process.replicas=12,secrets.existingSecret=edge-secrets'])).toContain('0 chart(s) failed');
  });

  it('renders one Deployment per role, each running its command, two replicas by default', () => {
    expect(byKind(defaults, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['ew-edgewatch-api', 'ew-edgewatch-ingest', 'ew-edgewatch-process']);
    const args = { ingest: ['ingest'], process: ['process'], api: ['serve'] };
    for (const role of ROLES) {
      const d = deployment(defaults, role);
      expect(d.replicas, role).toBe(2);
      expect(containerOf(d).args, role).toEqual(args[role]);
      expect(containerOf(d).image, role).toBe('edgewatch:0.1.0');
      expect(d.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'edgewatch', 'app.kubernetes.io/instance': 'ew', 'app.kubernetes.io/component': role });
      expect(d.template.metadata.labels).toMatchObject(d.selector.matchLabels);
    }
  });

  it('probes /healthz on the http port, sets resources and runs non-root with a read-only root', () => {
    for (const role of ROLES) {
      const d = deployment(defaults, role);
      const c = containerOf(d);
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) expect(probe.httpGet, role).toEqual({ path: '/healthz', port: 'http' });
      expect(Object.keys(c.resources.requests).sort(), role).toEqual(['cpu', 'memory']);
      expect(Object.keys(c.resources.limits).sort(), role).toEqual(['cpu', 'memory']);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(d.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'ew-edgewatch-config' } }]);
    }
  });

  it('has a PodDisruptionBudget per role selecting exactly that role’s pods', () => {
    const pdbs = byKind(defaults, 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(3);
    for (const role of ROLES) {
      const pdb = pdbs.find((p) => p.metadata.name === `ew-edgewatch-${role}`);
      expect(pdb, role).toBeDefined();
      expect((pdb!.spec as { selector: unknown }).selector).toEqual(deployment(defaults, role).selector);
    }
    expect(pdbs.find((p) => p.metadata.name === 'ew-edgewatch-api')!.spec).toMatchObject({ minAvailable: 1 });
    expect(pdbs.find((p) => p.metadata.name === 'ew-edgewatch-process')!.spec).toMatchObject({ maxUnavailable: 1 });
  });

  it('keeps tokens and ClickHouse credentials in a Secret, each role getting only the keys it needs', () => {
    const [secret] = byKind(defaults, 'Secret');
    expect(secret?.metadata.name).toBe('ew-edgewatch-secrets');
    expect(Object.keys(secret!.data!).sort()).toEqual(['EDGEWATCH_ADMIN_TOKEN', 'EDGEWATCH_CLICKHOUSE_PASSWORD', 'EDGEWATCH_CLICKHOUSE_USER', 'EDGEWATCH_VIEWER_TOKENS']);
    // An admin token is generated when none is given: long enough for the API's token rules.
    expect(Buffer.from(secret!.data!.EDGEWATCH_ADMIN_TOKEN!, 'base64').toString()).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(secretRefs(containerOf(deployment(defaults, 'ingest')))).toEqual([]);
    expect(secretRefs(containerOf(deployment(defaults, 'process')))).toEqual(['ew-edgewatch-secrets/EDGEWATCH_CLICKHOUSE_USER', 'ew-edgewatch-secrets/EDGEWATCH_CLICKHOUSE_PASSWORD']);
    expect(secretRefs(containerOf(deployment(defaults, 'api')))).toEqual([
      'ew-edgewatch-secrets/EDGEWATCH_CLICKHOUSE_USER',
      'ew-edgewatch-secrets/EDGEWATCH_CLICKHOUSE_PASSWORD',
      'ew-edgewatch-secrets/EDGEWATCH_ADMIN_TOKEN',
      'ew-edgewatch-secrets/EDGEWATCH_VIEWER_TOKENS',
    ]);
    // No secret value travels in the ConfigMap.
    const [config] = byKind(defaults, 'ConfigMap');
    expect(Object.keys(config!.data!).filter((k) => /TOKEN|PASSWORD/.test(k))).toEqual([]);
  });

  it('annotates the api pods for Prometheus scraping of /metrics', () => {
    expect(deployment(defaults, 'api').template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' });
    expect(deployment(defaults, 'ingest').template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    const scraped = render('roles.process.metrics.scrape=true');
    expect(deployment(scraped, 'process').template.metadata.annotations['prometheus.io/scrape']).toBe('true');
  });

  it('exposes the api role through a Service on its pods', () => {
    const [service] = byKind(defaults, 'Service');
    expect(service?.metadata.name).toBe('ew-edgewatch-api');
    expect((service!.spec as { selector: unknown }).selector).toEqual(deployment(defaults, 'api').selector.matchLabels);
  });

  it('scales each role on its own and uses an existing Secret when named', () => {
    const scaled = render('roles.ingest.replicas=8', 'roles.process.replicas=12', 'roles.api.replicas=3', 'secrets.existingSecret=edge-secrets', 'image.tag=1.2.3');
    expect(deployment(scaled, 'ingest').replicas).toBe(8);
    expect(deployment(scaled, 'process').replicas).toBe(12);
    expect(deployment(scaled, 'api').replicas).toBe(3);
    expect(containerOf(deployment(scaled, 'api')).image).toBe('edgewatch:1.2.3');
    expect(byKind(scaled, 'Secret')).toEqual([]);
    for (const role of ['process', 'api']) {
      for (const ref of secretRefs(containerOf(deployment(scaled, role)))) expect(ref.startsWith('edge-secrets/'), ref).toBe(true);
    }
  });

  it('leaves a disabled role out entirely', () => {
    const noApi = render('roles.api.enabled=false');
    expect(byKind(noApi, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['ew-edgewatch-ingest', 'ew-edgewatch-process']);
    expect(byKind(noApi, 'Service')).toEqual([]);
    expect(byKind(noApi, 'PodDisruptionBudget')).toHaveLength(2);
  });
});
