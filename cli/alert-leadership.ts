/**
 * Alerts run on exactly one replica: the holder of the `alerts` lease in the lease table
 * (EDGEWATCH_LEASE_TABLE), so each notification is sent once. The leader starts the AlertService
 * when it takes the lease and stops it when it loses it; a graceful stop stops the service, then
 * releases the lease, so another replica takes over at its next round. Alert state, deliveries,
 * rules and webhooks live in ClickHouse: the new leader resumes active alerts (no second firing
 * notification) and pending deliveries. Every replica reloads rules and webhooks periodically, so
 * the API of any replica shows (and the leader applies) changes made through another one.
 *
 * Without a lease table (embedded mode, one replica) the service simply runs.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AlertService } from '../api/alerts/alert-service.js';
import { createDynamoDbClient } from '../ingest/leases/dynamodb-client.js';
import { LeaderLease } from '../ingest/leases/leader-lease.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

export const ALERTS_LEASE_NAME = 'alerts';

export interface AlertLeaseSettings {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly workerId: string;
  /** Takeover time after a leader dies without releasing. */
  readonly leaseDurationMs: number;
  /** Renewal (and reload) interval; default a third of the duration. */
  readonly renewIntervalMs?: number;
}

export interface AlertLeadershipOptions {
  readonly service: AlertService;
  /** Null: no lease, the service runs here. */
  readonly lease: AlertLeaseSettings | null;
  readonly logger: Logger;
  /** Called at the end of stop() (closes the lease table's client). */
  readonly onStopped?: () => void;
}

export class AlertLeadership {
  readonly #service: AlertService;
  readonly #lease: LeaderLease | null;
  readonly #logger: Logger;
  readonly #onStopped: () => void;
  readonly #reloadIntervalMs: number;
  #reloadTimer: NodeJS.Timeout | null = null;
  #reloading: Promise<void> | null = null;

  constructor(options: AlertLeadershipOptions) {
    this.#service = options.service;
    this.#logger = options.logger;
    this.#onStopped = options.onStopped ?? (() => undefined);
    const lease = options.lease;
    this.#reloadIntervalMs = lease === null ? 0 : (lease.renewIntervalMs ?? Math.floor(lease.leaseDurationMs / 3));
    this.#lease =
      lease === null
        ? null
        : new LeaderLease({
            client: lease.client,
            tableName: lease.tableName,
            name: ALERTS_LEASE_NAME,
            workerId: lease.workerId,
            leaseDurationMs: lease.leaseDurationMs,
            ...(lease.renewIntervalMs === undefined ? {} : { renewIntervalMs: lease.renewIntervalMs }),
            onAcquired: async () => {
              await this.#service.start();
              this.#logger.info({ workerId: lease.workerId }, 'this replica evaluates alerts');
            },
            onLost: async () => {
              await this.#service.stop();
              this.#logger.info({ workerId: lease.workerId }, 'this replica no longer evaluates alerts');
            },
            logger: options.logger,
          });
  }

  /** True while this replica evaluates alerts. */
  get isLeader(): boolean {
    return this.#service.running;
  }

  async start(): Promise<void> {
    if (this.#lease === null) {
      await this.#service.start();
      return;
    }
    // Followers answer the API from the store until they lead.
    await this.#service.reload();
    await this.#lease.start();
    this.#scheduleReload();
  }

  /** Stops evaluating, then releases the lease. */
  async stop(): Promise<void> {
    if (this.#reloadTimer !== null) clearTimeout(this.#reloadTimer);
    this.#reloadTimer = null;
    await this.#reloading;
    if (this.#lease === null) await this.#service.stop();
    else await this.#lease.stop();
    this.#onStopped();
  }

  #scheduleReload(): void {
    this.#reloadTimer = setTimeout(() => {
      this.#reloading = this.#service
        .reload()
        .catch((err: unknown) => this.#logger.warn({ err }, 'cannot reload alert rules and webhooks; retrying later'))
        .finally(() => {
          this.#reloading = null;
          if (this.#reloadTimer !== null) this.#scheduleReload();
        });
    }, this.#reloadIntervalMs);
    this.#reloadTimer.unref();
  }
}

/**
 * The leadership of the configuration: a lease when EDGEWATCH_LEASE_TABLE is set and ClickHouse is a
 * server (replicas with embedded ClickHouse share no alert state: each runs its own alerts).
 */
export function alertLeadershipFromConfig(config: Config, service: AlertService, logger: Logger): AlertLeadership {
  const { table, dynamodbEndpoint, workerId, durationMs } = config.leases;
  const log = logger.child({ component: 'alert-leadership' });
  if (table === undefined || config.clickhouse.url === undefined) return new AlertLeadership({ service, lease: null, logger: log });
  const client = createDynamoDbClient({ region: config.kinesis.region, endpoint: dynamodbEndpoint });
  return new AlertLeadership({
    service,
    lease: { client, tableName: table, workerId, leaseDurationMs: durationMs },
    logger: log,
    onStopped: () => client.destroy(),
  });
}
