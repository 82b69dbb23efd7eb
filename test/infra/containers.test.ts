/**
 * Dockerfile and docker-compose.yml, checked as text and YAML (no container engine runs here): the
 * image builds with CI's npm commands, runs non-root with production dependencies only and holds every
 * folder the CLI imports; compose runs ClickHouse, Kafka and the ingest, process and api roles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Stage {
  readonly name: string;
  readonly from: string;
  readonly lines: readonly string[];
}

/** The Dockerfile's stages with their instructions (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const out: { name: string; from: string; lines: string[] }[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2] ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(full);
    return /\.(ts|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('Dockerfile', () => {
  const all = stages(read('Dockerfile'));
  const stage = (name: string) => {
    const found = all.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };

  it('has build, test, prod-deps and runtime stages on the same pinned Node.js image, runtime last', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'test', 'prod-deps', 'runtime']);
    for (const s of all.filter((x) => x.name !== 'test')) expect(s.from).toBe('node:${NODE_VERSION}-bookworm-slim');
    expect(read('Dockerfile')).toMatch(/^ARG NODE_VERSION=20\.\d+\.\d+$/m);
  });

  it('builds with the npm commands CI and the README run', () => {
    const build = stage('build').lines;
    // The install `npm test` performs on a fresh clone, then typecheck and the dashboard build.
    expect(build).toContain('RUN node scripts/ensure-deps.mjs');
    expect(build).toContain('RUN npm run build');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toContain('tsc -p tsconfig.json --noEmit');
    expect(scripts.test).toContain('node scripts/ensure-deps.mjs');
    // The test stage runs what .ci/run runs.
    expect(read('.ci/run')).toMatch(/^npm test$/m);
    expect(stage('test').lines).toContain('CMD ["npm", "test"]');
  });

  it('installs production dependencies only and takes nothing else from the build stage but the dashboard', () => {
    expect(stage('prod-deps').lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    const runtime = stage('runtime').lines;
    expect(runtime).toContain('COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules');
    const fromBuild = runtime.filter((l) => l.includes('--from=build'));
    expect(fromBuild).toEqual(['COPY --from=build --chown=root:root /app/dashboard/dist ./dashboard/dist']);
    expect(runtime.some((l) => /npm (ci|install)/.test(l))).toBe(false);
  });

  it('runs as the unprivileged node user, with only /data writable', () => {
    const runtime = stage('runtime').lines;
    const user = runtime.filter((l) => l.startsWith('USER '));
    expect(user).toEqual(['USER node']);
    expect(runtime.indexOf('USER node')).toBeGreaterThan(runtime.findIndex((l) => l.startsWith('RUN mkdir -p /data')));
    expect(runtime).toContain('ENTRYPOINT ["node", "bin/edgewatch.mjs"]');
    expect(runtime.some((l) => l.startsWith('HEALTHCHECK') && l.includes('/healthz'))).toBe(true);
  });

  it('copies every folder the CLI imports at run time', () => {
    const copied = new Set(
      stage('runtime')
        .lines.map((l) => /^COPY --chown=root:root (\S+) \.\/\S+$/.exec(l)?.[1])
        .filter((dir): dir is string => dir !== undefined),
    );
    for (const dir of ['bin', 'cli', 'ingest', 'processor', 'api', 'dashboard', 'infra/clickhouse']) expect(copied, dir).toContain(dir);
    const missing = new Set<string>();
    for (const dir of ['bin', 'cli', 'ingest', 'processor', 'api']) {
      for (const file of sourceFiles(path.join(ROOT, dir))) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), match[1] ?? match[2]!));
          const top = target.split(path.sep)[0]!;
          if (!copied.has(top) && !(top === 'infra' && target.startsWith(`infra${path.sep}clickhouse`))) missing.add(`${path.relative(ROOT, file)} → ${target}`);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('keeps local state and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.git', 'node_modules', '**/node_modules', '.cache', 'data', '.env', 'infra/aws/cdk.out']) expect(ignored).toContain(entry);
  });
});

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  ports?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  const { services } = compose;

  it('runs a ClickHouse server, a Kafka broker and the ingest, process and api roles', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'clickhouse', 'ingest', 'kafka', 'process']);
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+$/);
    expect(services.kafka!.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    expect(services.kafka!.environment).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092' });
    expect(services.ingest!.command).toEqual(['ingest']);
    expect(services.process!.command).toEqual(['process']);
    expect(services.api!.command).toEqual(['serve']);
  });

  it('builds the roles from this Dockerfile and points them at the ClickHouse and Kafka services', () => {
    for (const role of ['ingest', 'process', 'api']) {
      const service = services[role]!;
      expect(service.build, role).toBe('.');
      expect(service.read_only, role).toBe(true);
      expect(service.environment, role).toMatchObject({ EDGEWATCH_CLICKHOUSE_URL: 'http://clickhouse:8123', EDGEWATCH_KAFKA_BROKERS: 'kafka:9092', EDGEWATCH_HOST: '0.0.0.0' });
      expect(service.depends_on, role).toEqual({ clickhouse: { condition: 'service_healthy' }, kafka: { condition: 'service_healthy' } });
      expect(service.healthcheck?.test.join(' '), role).toContain('/healthz');
    }
  });

  it('takes secrets from the environment, required, never written in the file', () => {
    expect(services.api!.environment!.EDGEWATCH_ADMIN_TOKEN).toBe('${EDGEWATCH_ADMIN_TOKEN:?set EDGEWATCH_ADMIN_TOKEN}');
    expect(services.process!.environment!.EDGEWATCH_CLICKHOUSE_PASSWORD).toBe('${EDGEWATCH_CLICKHOUSE_PASSWORD:?set EDGEWATCH_CLICKHOUSE_PASSWORD}');
    expect(services.clickhouse!.environment!.CLICKHOUSE_PASSWORD).toBe('${EDGEWATCH_CLICKHOUSE_PASSWORD:?set EDGEWATCH_CLICKHOUSE_PASSWORD}');
    // Only the api role gets the API tokens.
    expect(services.process!.environment!.EDGEWATCH_ADMIN_TOKEN).toBeUndefined();
    expect(services.ingest!.environment!.EDGEWATCH_ADMIN_TOKEN).toBeUndefined();
    expect(services.api!.ports).toEqual(['${EDGEWATCH_API_PORT:-8080}:8080']);
  });

  it('keeps ClickHouse and Kafka data in named volumes', () => {
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['clickhouse-data', 'kafka-data']));
  });
});
