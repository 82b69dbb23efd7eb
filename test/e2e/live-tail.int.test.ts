/**
 * The live tail end to end, as `npm start` runs it: a real CloudFront line replayed into the local
 * Kinesis stream (the `edgewatch replay` code path) reaches a dashboard-like client of
 * GET /api/v1/live — fetch with a bearer token over real HTTP — within 2 s of being written, while
 * the simulator's traffic flows and batches are cut only every 2 s (the live view does not wait for
 * them).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.js';
import { createLogger } from '../../cli/logger.js';
import { startPipeline, type RunningPipeline } from '../../cli/pipeline.js';
import { streamLogConfig } from '../../cli/stream-log-config.js';
import { createKinesisClient } from '../../ingest/kinesis/kinesis-client.js';
import { KinesisRecordWriter } from '../../ingest/kinesis/kinesis-writer.js';
import { createLineConverter, replayLines } from '../../ingest/replay/replay.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { layoutOf } from '../../processor/fields/layout.js';
import { SseReader } from '../api/live-kit.js';

const HTTP_PORT = 46110;
const KINESIS_PORT = 46111;
const VIEWER_TOKEN = `live-tail-viewer-${crypto.randomBytes(12).toString('hex')}`;
const ADMIN_TOKEN = `live-tail-admin-${crypto.randomBytes(12).toString('hex')}`;

const ROOT = path.resolve(import.meta.dirname, '../..');
// The reference lines were logged with fields 1–41 except s-ip.
const REFERENCE_LAYOUT = layoutOf(FIELDS.filter((f) => f.position <= 41 && f.name !== 's-ip').map((f) => f.name));
const REFERENCE_LINE = fs.readFileSync(path.join(ROOT, 'test/fixtures/reference-records.tsv'), 'utf8').split('\n')[0]!;

/** The first reference line, logged now, for a path of its own. */
function replayedLine(pathSegment: string, nowMs: number): string {
  const fields = REFERENCE_LINE.split('\t');
  const at = (name: string) => REFERENCE_LAYOUT.names.indexOf(name);
  fields[at('timestamp')] = (nowMs / 1000).toFixed(3);
  fields[at('cs-uri-stem')] = `/${pathSegment}/caf%C3%A9%20au%20lait`;
  fields[at('x-edge-request-id')] = `live-tail-${pathSegment}`;
  return fields.join('\t');
}

describe('live tail end to end', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-live-tail-'));
  const config = loadConfig({
    EDGEWATCH_DATA_DIR: dataDir,
    PORT: String(HTTP_PORT),
    EDGEWATCH_LOCAL_KINESIS_PORT: String(KINESIS_PORT),
    EDGEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
    EDGEWATCH_VIEWER_TOKENS: VIEWER_TOKEN,
    // Polls every 500 ms instead of 1 s: on a loaded machine the local emulator takes hundreds of
    // milliseconds per GetRecords call, which AWS does not. Defaults otherwise: batches cut every
    // 2 s, simulated traffic at 200 requests/s.
    EDGEWATCH_KINESIS_POLL_INTERVAL_MS: '500',
    EDGEWATCH_LOG_LEVEL: 'warn',
  });
  let pipeline: RunningPipeline;
  // Streams are ended by the server when the pipeline stops (a client abort can leave fetch's spare
  // connection open, which would hold the server's close until its headers timeout).
  const streams = new AbortController();

  beforeAll(async () => {
    pipeline = await startPipeline(config, createLogger('warn'));
  });

  afterAll(async () => {
    await pipeline?.stop();
    streams.abort();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a replayed record within 2 s of it being written', async () => {
    const segment = `live-tail-${crypto.randomBytes(6).toString('hex')}`;
    const response = await fetch(`${pipeline.url}/api/v1/live?pathPrefix=/${segment}/&rate=20`, {
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
      signal: streams.signal,
    });
    expect(response.status).toBe(200);
    const live = new SseReader(response);
    await live.waitFor((e) => e.event === 'ready', 5_000, 'the ready event');
    // Simulated traffic is flowing and none of it matches the filter.
    await live.waitFor((e) => e.event === 'counters', 3_000, 'the first counters');

    const client = createKinesisClient({ region: config.kinesis.region, endpoint: pipeline.localKinesisEndpoint! });
    const summary = await replayLines({
      input: [replayedLine(segment, Date.now())],
      convert: createLineConverter(REFERENCE_LAYOUT, layoutOf(streamLogConfig(config).fields)),
      sink: new KinesisRecordWriter({ client, streamName: config.kinesis.streamName }),
    });
    // Written: the stream has accepted it (PutRecords answered). The local emulator's own put time,
    // which AWS does not have, is left out.
    const writtenAtMs = Date.now();
    client.destroy();
    expect(summary.lines).toBe(1);

    const record = await live.waitFor((e) => e.event === 'record', 2_000, 'the replayed record');
    const latencyMs = record.receivedAtMs - writtenAtMs;
    expect(latencyMs).toBeLessThan(2_000);
    expect(record.data).toMatchObject({
      path: `/${segment}/café au lait`,
      edgeRequestId: `live-tail-${segment}`,
      status: 304,
      method: 'GET',
      cacheStatus: 'refresh_hit',
      edgeLocation: 'SEA19-C2',
      pop: 'SEA',
      country: 'US',
      bytes: 322,
      samplingRate: 100,
    });
    // The counters of its second count it, and only it.
    const counters = await live.waitFor(
      (e) => e.event === 'counters' && (e.data as { sampledRequests: number }).sampledRequests > 0,
      3_000,
      'counters with the record',
    );
    expect(counters.data).toMatchObject({ sampledRequests: 1, requests: 1, bytes: 322, hits: 1, cacheableHits: 1, dropped: 0, stale: 0 });
    expect(pipeline.live.tap.stats().dropped).toBe(0);

    // Stopping the pipeline ends the stream with a `closing` event.
    await pipeline.stop();
    await live.waitForEnd();
    expect(live.events.at(-1)).toMatchObject({ event: 'closing' });
  });
});
