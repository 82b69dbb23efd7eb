/**
 * Child process of the ingest crash test: runs `edgewatch ingest` (configured by EDGEWATCH_* in the
 * environment) and kills itself with SIGKILL right after Kafka acknowledged its third range and
 * before that range's checkpoint is written. Writes `<dataDir>/crashed-range.json` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../cli/config.js';
import { startIngestRole } from '../../../cli/ingest-role.js';
import { createLogger } from '../../../cli/logger.js';
import type { CheckpointStore } from '../../../ingest/checkpoints/checkpoint-store.js';

const config = loadConfig();
const marker = path.join(config.dataDir, 'crashed-range.json');

function crashOnThirdCommit(store: CheckpointStore): CheckpointStore {
  let commits = 0;
  return {
    load: (stream, shard) => store.load(stream, shard),
    markInFlight: (stream, shard, range) => store.markInFlight(stream, shard, range),
    markFinished: (stream, shard) => store.markFinished(stream, shard),
    commit: async (stream, shard, sequenceNumber) => {
      if (++commits === 3) {
        // Kafka has the range; the checkpoint never will.
        fs.writeFileSync(marker, JSON.stringify({ stream, shard, sequenceNumber }));
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
      return store.commit(stream, shard, sequenceNumber);
    },
  };
}

await startIngestRole(config, createLogger(config.logLevel), { wrapCheckpoints: crashOnThirdCommit });
