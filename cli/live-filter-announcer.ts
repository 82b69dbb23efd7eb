/**
 * A `serve` replica's side of pushed live filters: announces, on the live filters topic, the filter
 * sets its subscribers need applied by the processors (LiveHub.pushedFilters), at once when they
 * change and again every `intervalMs` so that processors joining later learn them and an
 * announcement never lapses while it is needed. On stop it withdraws them. Sends go one at a time;
 * a change during a send is announced right after it; a failed send is logged and retried by the
 * next announcement.
 */
import type { PushedFilter } from '../api/live/live-filter-pushdown.js';
import type { KafkaPublisher } from '../ingest/kafka/kafka-client.js';
import { encodeLiveFiltersMessage, LIVE_FILTERS_VERSION, MAX_ANNOUNCED_FILTERS } from './live-filter-message.js';
import type { Logger } from './logger.js';
import { settleWithin } from './settle-within.js';

export interface LiveFilterAnnouncerOptions {
  readonly publisher: KafkaPublisher;
  readonly topic: string;
  /** This replica's name in the announcements (their key). */
  readonly replica: string;
  /** The filters to announce now. */
  readonly filters: () => readonly PushedFilter[];
  /** Re-announcement period; default 2000. */
  readonly intervalMs?: number;
  /** How long an announcement holds unless renewed; default 5 × intervalMs. */
  readonly ttlMs?: number;
  readonly logger: Logger;
}

export class LiveFilterAnnouncer {
  readonly #options: LiveFilterAnnouncerOptions;
  readonly #intervalMs: number;
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | null = null;
  #sending: Promise<void> | null = null;
  #again = false;
  #announcedAny = false;
  #stopped = false;
  #sent = 0;
  #errors = 0;

  constructor(options: LiveFilterAnnouncerOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#ttlMs = options.ttlMs ?? 5 * this.#intervalMs;
  }

  start(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setInterval(() => this.changed(), this.#intervalMs);
    this.#timer.unref();
  }

  /** The hub's pushed filters changed (or the period is up): announce them. */
  changed(): void {
    if (this.#stopped) return;
    if (this.#sending !== null) {
      this.#again = true;
      return;
    }
    this.#sending = this.#sendLoop().finally(() => {
      this.#sending = null;
    });
  }

  /** Withdraws this replica's filters (an empty announcement) and stops, within `deadlineMs` (the filters lapse anyway). */
  async stop(deadlineMs = 2_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#again = false;
    const withdraw = async (): Promise<void> => {
      if (this.#sending !== null) await this.#sending;
      if (this.#announcedAny) await this.#send([]);
    };
    await settleWithin(withdraw(), deadlineMs);
  }

  stats(): { readonly sent: number; readonly errors: number } {
    return { sent: this.#sent, errors: this.#errors };
  }

  async #sendLoop(): Promise<void> {
    do {
      this.#again = false;
      const filters = this.#options.filters();
      // Nothing to say when nothing was ever announced: idle replicas stay quiet.
      if (filters.length === 0 && !this.#announcedAny) continue;
      // A failed withdrawal is sent again with the next announcement.
      if (await this.#send(filters)) this.#announcedAny = filters.length > 0;
      else this.#announcedAny ||= filters.length > 0;
    } while (this.#again && !this.#stopped);
  }

  /** True when the announcement went out. */
  async #send(filters: readonly PushedFilter[]): Promise<boolean> {
    const { replica } = this.#options;
    const announced = filters.slice(0, MAX_ANNOUNCED_FILTERS).map((f) => ({ filters: f.filters, recordsPerSecond: f.recordsPerSecond }));
    try {
      const value = encodeLiveFiltersMessage({ v: LIVE_FILTERS_VERSION, kind: 'filters', replica, ttlMs: this.#ttlMs, filters: announced });
      await this.#options.publisher.send(this.#options.topic, [{ key: replica, value, headers: {} }]);
      this.#sent += 1;
      return true;
    } catch (err) {
      this.#errors += 1;
      if (this.#errors === 1 || this.#errors % 100 === 0) {
        this.#options.logger.warn({ component: 'live-feed', err, topic: this.#options.topic, errors: this.#errors }, 'live filters not announced; retrying with the next announcement');
      }
      return false;
    }
  }
}
