/**
 * Alerts on exactly one replica: two replicas (each its own AlertService, ClickHouse client and
 * lease-table client) share a ClickHouse server (the embedded engine behind its HTTP interface) and a
 * lease table (dynalite). Only the holder of the `alerts` lease evaluates; when it stops, the other
 * takes over and continues from the state in ClickHouse: the webhook receives each firing and each
 * resolve once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../api/alerts/alert-rules.js';
import { AlertService } from '../../api/alerts/alert-service.js';
import { AlertStore } from '../../api/alerts/alert-store.js';
import { RollupAlertSource } from '../../api/alerts/rollup-alert-source.js';
import { AlertLeadership, alertLeadershipFromConfig } from '../../cli/alert-leadership.js';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { createDynamoDbClient } from '../../ingest/leases/dynamodb-client.js';
import { createClickHouse, type ClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';
import { startClickHouseHttpFixture, type ClickHouseHttpFixture } from '../support/clickhouse-http-fixture.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb.js';
import { insertRequestRows, type RequestRowSpec } from '../support/request-rows.js';
import { DEFAULT_RETENTION } from '../storage/storage-env.js';
import { WebhookReceiver } from './webhook-receiver.js';

const DYNAMO_PORT = 47700;
const CLICKHOUSE_PORT = 47701;
const RECEIVER_PORT = 47702;
const DATABASE = 'alert_leadership';
const TABLE = 'edgewatch-leases-alerts';
const LEASE_DURATION_MS = 2_000;
const RENEW_INTERVAL_MS = 250;
const DIST = 'E2LEADERDIST01';
const MINUTE_MS = 60_000;
// The burst fills the 30 s before NOW, 40 s into a minute (as in rollup-alert-source.int.test.ts).
const NOW = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 2 * MINUTE_MS + 40_000;

const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const logger = createLogger('silent');

/** The replicas' shared clock: runs with the wall clock from wherever the test sets it. */
let offsetMs = 0;
const clock = (): number => Date.now() + offsetMs;
const setClock = (ms: number): void => {
  offsetMs = ms - Date.now();
};

interface Replica {
  readonly id: string;
  readonly ch: ClickHouse;
  readonly dynamo: DynamoDBClient;
  readonly service: AlertService;
  readonly leadership: AlertLeadership;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-alert-leader-'));
let dynamo: LocalDynamoDb;
let fixture: ClickHouseHttpFixture;
let setup: ClickHouse;
let receiver: WebhookReceiver;
const replicas: Replica[] = [];

function replica(id: string): Replica {
  const ch = createClickHouse({ mode: 'server', url: fixture.url, database: DATABASE, maxExecutionTimeS: 30 });
  const client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  const service = new AlertService({
    store: new AlertStore(ch),
    source: new RollupAlertSource({ clickhouse: ch }),
    evalIntervalMs: 200,
    logger,
    now: clock,
    delivery: { retryBaseMs: 100, retryMaxMs: 1_000, timeoutMs: 2_000, maxAttempts: 5, allowPrivateNetworks: true },
  });
  const leadership = new AlertLeadership({
    service,
    lease: { client, tableName: TABLE, workerId: id, leaseDurationMs: LEASE_DURATION_MS, renewIntervalMs: RENEW_INTERVAL_MS },
    logger,
  });
  const r = { id, ch, dynamo: client, service, leadership };
  replicas.push(r);
  return r;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits for `n` more evaluations of a running service (its clock moves, so each one changes evaluatedAt). */
async function evaluations(service: AlertService, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = service.status().evaluatedAt;
    await waitUntil('an evaluation', () => service.status().evaluatedAt !== before);
  }
}

beforeAll(async () => {
  dynamo = await startLocalDynamoDb(DYNAMO_PORT);
  fixture = await startClickHouseHttpFixture({ dataDir, port: CLICKHOUSE_PORT });
  receiver = await WebhookReceiver.start(RECEIVER_PORT);
  setup = createClickHouse({ mode: 'server', url: fixture.url, database: DATABASE, maxExecutionTimeS: 30 });
  await runMigrations(setup, DEFAULT_RETENTION);
  const rows: RequestRowSpec[] = [];
  // 15 minutes of baseline, one geo-blocked request a minute; then 90 in the 30 s before NOW.
  for (let m = 16; m >= 1; m--) {
    const minute = Math.floor(NOW / MINUTE_MS) * MINUTE_MS - m * MINUTE_MS;
    for (let i = 0; i < 60; i++) rows.push({ timestamp: at(minute + i * 1000), distribution_id: DIST, cache_class: 'hit', country: 'US', pop_code: 'IAD' });
    rows.push({ timestamp: at(minute + 30_500), distribution_id: DIST, sc_status: 403, cache_class: 'error', geo_blocked: 1, x_edge_detailed_result_type: 'ClientGeoBlocked', country: 'US', pop_code: 'IAD' });
  }
  for (let i = 0; i < 90; i++) {
    rows.push({ timestamp: at(NOW - 30_000 + i * 300), distribution_id: DIST, sc_status: 403, cache_class: 'error', geo_blocked: 1, x_edge_detailed_result_type: 'ClientGeoBlocked', country: 'CN', pop_code: 'FRA' });
  }
  await insertRequestRows(setup, rows);
  // One rule: geo-blocked spikes fire at once and resolve at once; the other built-in rules are off.
  const store = new AlertStore(setup);
  await store.saveRules(defaultRules().map((r) => (r.kind === 'geoBlockedSpike' ? { ...r, forS: 0, holdS: 0, threshold: 2 } : { ...r, enabled: false })));
  await store.saveWebhook({ id: 'wh_leader', name: 'receiver', url: `${receiver.url}/hook`, format: 'json', secret: 'leader-test-secret-0123456789', enabled: true, createdAtMs: Date.now(), updatedAtMs: Date.now() });
}, 120_000);

afterAll(async () => {
  for (const r of replicas) {
    await r.leadership.stop();
    r.dynamo.destroy();
    await r.ch.close();
  }
  await setup?.close();
  await receiver?.close();
  await fixture?.close();
  await dynamo?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('alert leadership (one replica evaluates, through a lease)', () => {
  it('sends a firing once, hands over on stop without a second firing, and sends the resolve once', async () => {
    // Before the burst: nothing to fire.
    setClock(NOW - 3 * MINUTE_MS);
    const a = replica('replica-a');
    const b = replica('replica-b');
    await a.leadership.start();
    await b.leadership.start();
    expect(a.leadership.isLeader).toBe(true);
    expect(b.leadership.isLeader).toBe(false);
    // The follower's API knows the rules and webhooks it does not evaluate.
    expect(b.service.rules().some((r) => r.kind === 'geoBlockedSpike' && r.enabled)).toBe(true);
    expect(b.service.webhooks().map((w) => w.id)).toEqual(['wh_leader']);
    await evaluations(a.service, 2);

    setClock(NOW);
    await receiver.waitFor('the firing notification', () => receiver.acceptedOf('alert.firing').length === 1);
    const firing = receiver.acceptedOf('alert.firing')[0]!;
    const alertId = (JSON.parse(firing.body) as { alert: { id: string } }).alert.id;
    await evaluations(a.service, 3);
    // The follower evaluated nothing, so only the leader's notification arrived.
    expect(b.service.status().evaluatedAt).toBeNull();

    const stoppedAt = Date.now();
    await a.leadership.stop();
    expect(a.leadership.isLeader).toBe(false);
    await waitUntil('replica b to lead', () => b.leadership.isLeader);
    // A released lease is taken at the next round, well within a lease period.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_DURATION_MS);
    // Still breached: the new leader resumes the firing alert and notifies nothing again.
    await evaluations(b.service, 5);
    expect(b.service.activeAlerts().map((al) => al.id)).toContain(alertId);
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);

    // The burst leaves the window: the new leader resolves the same alert, once.
    setClock(NOW + 3 * MINUTE_MS);
    await receiver.waitFor('the resolve notification', () => receiver.acceptedOf('alert.resolved').length === 1);
    await evaluations(b.service, 5);
    const resolved = receiver.acceptedOf('alert.resolved');
    expect(resolved).toHaveLength(1);
    expect((JSON.parse(resolved[0]!.body) as { alert: { id: string } }).alert.id).toBe(alertId);
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    const ids = receiver.accepted().map((r) => WebhookReceiver.deliveryId(r));
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.accepted().every((r) => WebhookReceiver.signedWith(r, 'leader-test-secret-0123456789'))).toBe(true);
  }, 90_000);

  it('a replica that led before can lead again (the service starts after a stop)', async () => {
    const [a, b] = replicas;
    // replica-a's leadership was stopped for good; a fresh one over the same service takes the lease back.
    const again = new AlertLeadership({
      service: a!.service,
      lease: { client: a!.dynamo, tableName: TABLE, workerId: 'replica-a', leaseDurationMs: LEASE_DURATION_MS, renewIntervalMs: RENEW_INTERVAL_MS },
      logger,
    });
    await b!.leadership.stop();
    await again.start();
    expect(again.isLeader).toBe(true);
    await evaluations(a!.service, 2);
    expect(a!.service.activeAlerts()).toEqual([]);
    await again.stop();
    expect(receiver.acceptedOf('alert.firing')).toHaveLength(1);
    expect(receiver.acceptedOf('alert.resolved')).toHaveLength(1);
  }, 60_000);

  it('takes the lease from the configuration only with a lease table and a ClickHouse server', async () => {
    const service = replica('replica-c').service;
    const env = { EDGEWATCH_LEASE_TABLE: TABLE, EDGEWATCH_DYNAMODB_ENDPOINT: dynamo.endpoint, EDGEWATCH_WORKER_ID: 'replica-c', EDGEWATCH_LEASE_DURATION_MS: String(LEASE_DURATION_MS) };
    const leased = alertLeadershipFromConfig(loadConfig({ ...env, EDGEWATCH_CLICKHOUSE_URL: fixture.url }), service, logger);
    await leased.start();
    expect(leased.isLeader).toBe(true);
    const probe = new AlertLeadership({ service: replica('replica-d').service, lease: { client: replicas.at(-1)!.dynamo, tableName: TABLE, workerId: 'replica-d', leaseDurationMs: LEASE_DURATION_MS, renewIntervalMs: RENEW_INTERVAL_MS }, logger });
    await probe.start();
    // The lease table holds replica-c as the leader.
    expect(probe.isLeader).toBe(false);
    await probe.stop();
    await leased.stop();
    expect(service.running).toBe(false);

    // Embedded ClickHouse shares nothing between processes: each evaluates its own alerts, no lease is read.
    const embedded = alertLeadershipFromConfig(loadConfig({ ...env, EDGEWATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }), service, logger);
    await embedded.start();
    expect(embedded.isLeader).toBe(true);
    await embedded.stop();
  }, 60_000);
});
