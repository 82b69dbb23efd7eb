/**
 * Cuts one shard's records into batches: by records, bytes or age, whichever comes first. After a
 * restart it first re-cuts the range that was in flight, exactly, so its deduplication token repeats.
 * Pure: no I/O, time passed in.
 */
import type { RawRecord } from '../../processor/batch.js';
import type { SequenceRange } from '../checkpoints/checkpoint-store.js';
import { compareSequenceNumbers } from './sequence-numbers.js';

export interface BatchLimits {
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  /** Measured from when the batch's first record arrived in this process. */
  readonly maxBatchAgeMs: number;
}

export interface CutBatch {
  readonly range: SequenceRange;
  readonly records: readonly RawRecord[];
  /** When this batch replays a range left in flight: that range. It differs from `range` only if records expired. */
  readonly replayOf: SequenceRange | null;
}

export class ShardBatcher {
  private readonly limits: BatchLimits;
  private replay: SequenceRange | null;
  private records: RawRecord[] = [];
  private bytes = 0;
  private firstArrivedAtMs = 0;

  constructor(limits: BatchLimits, inFlight: SequenceRange | null) {
    this.limits = limits;
    this.replay = inFlight;
  }

  /** True until the in-flight range from the checkpoint has been cut again. */
  get replaying(): boolean {
    return this.replay !== null;
  }

  get pendingRecords(): number {
    return this.records.length;
  }

  /** Adds the next record of the shard; returns the batches it completed, oldest first. */
  add(record: RawRecord, nowMs: number): CutBatch[] {
    const cut: CutBatch[] = [];
    const replay = this.replay;
    if (replay !== null) {
      const order = compareSequenceNumbers(record.sequenceNumber, replay.last);
      if (order <= 0) {
        this.append(record, nowMs);
        if (order === 0) {
          cut.push(this.take(replay));
          this.replay = null;
        }
        return cut;
      }
      // The range's last record is gone (past retention): close the replay with what was there.
      if (this.records.length > 0) cut.push(this.take(replay));
      this.replay = null;
    }
    if (this.records.length > 0 && this.bytes + record.data.byteLength > this.limits.maxBatchBytes) {
      cut.push(this.take(null));
    }
    this.append(record, nowMs);
    if (this.records.length >= this.limits.maxBatchRecords || this.bytes >= this.limits.maxBatchBytes) {
      cut.push(this.take(null));
    }
    return cut;
  }

  /** When the pending batch reaches its age limit; null when nothing is pending or a replay is being re-cut. */
  dueAtMs(): number | null {
    if (this.records.length === 0 || this.replay !== null) return null;
    return this.firstArrivedAtMs + this.limits.maxBatchAgeMs;
  }

  /** The pending batch if it has reached its age limit. */
  cutIfDue(nowMs: number): CutBatch | null {
    const due = this.dueAtMs();
    return due !== null && nowMs >= due ? this.take(null) : null;
  }

  /**
   * Everything pending as one batch, at shutdown; null when empty. A replay not yet read to its last
   * record stays uncut: delivering part of it would change its deduplication token, and the checkpoint
   * still holds the whole range for the next start.
   */
  cutForShutdown(): CutBatch | null {
    if (this.records.length === 0 || this.replay !== null) return null;
    return this.take(null);
  }

  /** Everything pending as one batch at the end of a closed shard, a replay cut short by expiry included. */
  cutAtShardEnd(): CutBatch | null {
    const replay = this.replay;
    this.replay = null;
    return this.records.length === 0 ? null : this.take(replay);
  }

  private append(record: RawRecord, nowMs: number): void {
    if (this.records.length === 0) this.firstArrivedAtMs = nowMs;
    this.records.push(record);
    this.bytes += record.data.byteLength;
  }

  private take(replayOf: SequenceRange | null): CutBatch {
    const records = this.records;
    const first = records[0];
    const last = records[records.length - 1];
    if (first === undefined || last === undefined) throw new Error('internal: cutting an empty batch');
    this.records = [];
    this.bytes = 0;
    return { range: { first: first.sequenceNumber, last: last.sequenceNumber }, records, replayOf };
  }
}
