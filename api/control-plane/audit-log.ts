/**
 * The control-plane audit log in ClickHouse (infra/clickhouse/030_control_plane_audit.sql): every
 * change, applied or failed, with who made it, the resource before and after, and the diff. Rows
 * are written once; values travel as query parameters, never in the SQL text.
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../processor/storage/clickhouse.js';
import type { DiffEntry } from './config-diff.js';

export type AuditResourceType = 'distribution' | 'realtime-log-config' | 'invalidation';

export interface AuditEntry {
  readonly id: string;
  readonly atMs: number;
  readonly actor: string;
  readonly actorRole: string;
  /** `create`, `update`, `disable`, `delete`, `attach`, `detach`, `invalidate`. */
  readonly action: string;
  readonly resourceType: AuditResourceType;
  readonly resourceId: string;
  /** The distribution the change affects ('' when none: a log config not attached anywhere). */
  readonly distributionId: string;
  readonly provider: string;
  readonly outcome: 'applied' | 'failed';
  readonly error: string;
  readonly summary: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly diff: readonly DiffEntry[];
}

export interface AuditQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly distributionId?: string;
  readonly outcome?: 'applied';
}

/** Where audit entries go; ClickHouse in the running server. */
export interface AuditLog {
  append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['change_id', 'String'], ['at', "DateTime64(3, 'UTC')"], ['actor', 'String'], ['actor_role', 'String'], ['action', 'String'],
  ['resource_type', 'String'], ['resource_id', 'String'], ['distribution_id', 'String'], ['provider', 'String'], ['outcome', 'String'],
  ['error', 'String'], ['summary', 'String'], ['before', 'String'], ['after', 'String'], ['diff', 'String'],
];

function dt(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

interface Row {
  change_id: string;
  at_ms: string | number;
  actor: string;
  actor_role: string;
  action: string;
  resource_type: string;
  resource_id: string;
  distribution_id: string;
  provider: string;
  outcome: string;
  error: string;
  summary: string;
  before: string;
  after: string;
  diff: string;
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export class ClickHouseAuditLog implements AuditLog {
  readonly #ch: ClickHouse;

  constructor(clickhouse: ClickHouse) {
    this.#ch = clickhouse;
  }

  async append(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const stored: AuditEntry = { ...entry, id: randomUUID() };
    const row = {
      change_id: stored.id,
      at: dt(stored.atMs),
      actor: stored.actor,
      actor_role: stored.actorRole,
      action: stored.action,
      resource_type: stored.resourceType,
      resource_id: stored.resourceId,
      distribution_id: stored.distributionId,
      provider: stored.provider,
      outcome: stored.outcome,
      error: stored.error,
      summary: stored.summary,
      before: stored.before === null ? '' : JSON.stringify(stored.before),
      after: stored.after === null ? '' : JSON.stringify(stored.after),
      diff: JSON.stringify(stored.diff),
    };
    const names = COLUMNS.map(([name]) => name).join(', ');
    const structure = COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    await this.#ch.command(
      `INSERT INTO ${this.#ch.database}.control_plane_audit (${names}) SELECT ${names} FROM format(JSONEachRow, {structure:String}, {data:String})`,
      { structure, data: JSON.stringify(row) },
    );
    return stored;
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const conditions = ['at >= {from:DateTime64(3)}', 'at < {to:DateTime64(3)}'];
    const params: Record<string, unknown> = { from: dt(query.fromMs), to: dt(query.toMs), limit: query.limit };
    if (query.distributionId !== undefined) {
      // Changes to no distribution in particular (a log config's fields) concern every one.
      conditions.push("(distribution_id = {distribution:String} OR distribution_id = '')");
      params.distribution = query.distributionId;
    }
    if (query.outcome !== undefined) {
      conditions.push('outcome = {outcome:String}');
      params.outcome = query.outcome;
    }
    const columns = COLUMNS.map(([name]) => (name === 'at' ? 'toUnixTimestamp64Milli(at) AS at_ms' : name)).join(', ');
    const rows = await this.#ch.query<Row>(
      `SELECT ${columns} FROM ${this.#ch.database}.control_plane_audit FINAL WHERE ${conditions.join(' AND ')} ORDER BY at DESC, change_id LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({
      id: r.change_id,
      atMs: Number(r.at_ms),
      actor: r.actor,
      actorRole: r.actor_role,
      action: r.action,
      resourceType: r.resource_type as AuditResourceType,
      resourceId: r.resource_id,
      distributionId: r.distribution_id,
      provider: r.provider,
      outcome: r.outcome === 'failed' ? 'failed' : 'applied',
      error: r.error,
      summary: r.summary,
      before: parseJson(r.before),
      after: parseJson(r.after),
      diff: (parseJson(r.diff) as DiffEntry[] | null) ?? [],
    }));
  }
}
