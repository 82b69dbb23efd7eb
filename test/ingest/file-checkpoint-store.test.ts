import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointFileError,
  CheckpointRegressionError,
  FileCheckpointStore,
} from '../../ingest/checkpoints/file-checkpoint-store.js';
import { makeTempDir } from './kinesis-test-kit.js';

let dir: string;

beforeEach(() => {
  dir = makeTempDir('checkpoints');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('FileCheckpointStore', () => {
  it('returns undefined for a shard it has never seen', async () => {
    expect(await new FileCheckpointStore(dir).load('s', 'shardId-000000000000')).toBeUndefined();
  });

  it('keeps in-flight ranges, commits and finished shards across a reload', async () => {
    const store = new FileCheckpointStore(dir);
    await store.markInFlight('s', 'a', { first: '100', last: '200' });
    await store.markInFlight('s', 'b', { first: '5', last: '9' });
    await store.commit('s', 'b', '9');
    await store.markInFlight('s', 'b', { first: '10', last: '12' });
    await store.commit('s', 'c', '7');
    await store.markFinished('s', 'c');
    await store.commit('other', 'a', '1');

    const reloaded = new FileCheckpointStore(dir);
    expect(await reloaded.load('s', 'a')).toEqual({ sequenceNumber: null, inFlight: { first: '100', last: '200' }, finished: false });
    expect(await reloaded.load('s', 'b')).toEqual({ sequenceNumber: '9', inFlight: { first: '10', last: '12' }, finished: false });
    expect(await reloaded.load('s', 'c')).toEqual({ sequenceNumber: '7', inFlight: null, finished: true });
    expect(await reloaded.load('other', 'a')).toEqual({ sequenceNumber: '1', inFlight: null, finished: false });
    expect(readdirSync(dir).sort()).toEqual(['other.json', 's.json']);
  });

  it('loses no update when many changes run concurrently', async () => {
    const store = new FileCheckpointStore(dir);
    const shards = Array.from({ length: 100 }, (_, i) => `shard-${i}`);
    await Promise.all(
      shards.map(async (shardId, i) => {
        await store.markInFlight('s', shardId, { first: String(i + 1), last: String(i + 10) });
        await store.commit('s', shardId, String(i + 10));
      }),
    );
    // Increasing commits of one shard, all issued at once: the last one wins.
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit('s', 'hot', String(1000 + i))));

    const reloaded = new FileCheckpointStore(dir);
    for (const [i, shardId] of shards.entries()) {
      expect(await reloaded.load('s', shardId)).toEqual({ sequenceNumber: String(i + 10), inFlight: null, finished: false });
    }
    expect((await reloaded.load('s', 'hot'))?.sequenceNumber).toBe('1049');
  });

  it('replaces the file atomically: a reader never sees a partial file, and no temp file is left', async () => {
    const store = new FileCheckpointStore(dir);
    await store.commit('s', 'x', '1');
    const path = store.pathFor('s');
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        JSON.parse(readFileSync(path, 'utf8'));
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 2; i < 60; i++) await store.commit('s', `shard-${i % 7}`, String(i));
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['s.json']);
  });

  it('ignores a temp file left by a crash in the middle of a write', async () => {
    const store = new FileCheckpointStore(dir);
    await store.commit('s', 'x', '42');
    writeFileSync(join(dir, 's.json.999.1.tmp'), '{"version":1,"str');
    expect(await new FileCheckpointStore(dir).load('s', 'x')).toEqual({ sequenceNumber: '42', inFlight: null, finished: false });
  });

  it('refuses a corrupt or foreign file rather than guessing where to resume', async () => {
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    await expect(new FileCheckpointStore(dir).load('bad', 'x')).rejects.toThrow(CheckpointFileError);
    writeFileSync(join(dir, 'odd.json'), JSON.stringify({ version: 1, stream: 'odd', shards: { x: { sequenceNumber: 12 } } }));
    await expect(new FileCheckpointStore(dir).load('odd', 'x')).rejects.toThrow(CheckpointFileError);
    writeFileSync(join(dir, 'mine.json'), JSON.stringify({ version: 1, stream: 'theirs', shards: {} }));
    await expect(new FileCheckpointStore(dir).load('mine', 'x')).rejects.toThrow(/theirs/);
  });

  it('refuses to move a checkpoint backwards and rejects malformed ranges', async () => {
    const store = new FileCheckpointStore(dir);
    await store.commit('s', 'x', '49680690183688707542224886776950829882373352071658209282');
    await expect(store.commit('s', 'x', '49680690183688707542224886776950829882373352071658209281')).rejects.toThrow(
      CheckpointRegressionError,
    );
    await expect(store.markInFlight('s', 'x', { first: '9', last: '8' })).rejects.toThrow(RangeError);
    await expect(store.commit('s', 'x', '12abc')).rejects.toThrow(RangeError);
    expect((await store.load('s', 'x'))?.sequenceNumber).toBe('49680690183688707542224886776950829882373352071658209282');
  });

  it('keeps odd stream names inside its directory', async () => {
    const store = new FileCheckpointStore(dir);
    await store.commit('../escape', 'x', '1');
    expect(readdirSync(dir)).toEqual(['..%2Fescape.json']);
    expect((await new FileCheckpointStore(dir).load('../escape', 'x'))?.sequenceNumber).toBe('1');
  });
});
