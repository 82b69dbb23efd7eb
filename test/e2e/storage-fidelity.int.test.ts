/**
 * ClickHouse parses and decodes the raw log line on insert (storage/raw-request-rows.ts). Every
 * stored column must equal what the JS parser reads from the same line, tricky text included.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_DISTRIBUTIONS } from '../../ingest/simulator/demo-distributions.js';
import { createTrafficGenerator } from '../../ingest/simulator/traffic-model.js';
import { BatchProcessor } from '../../processor/batch-processor.js';
import { FIELDS } from '../../processor/fields/catalogue.js';
import { FULL_LAYOUT, layoutOf, type Layout } from '../../processor/fields/layout.js';
import { LogParser } from '../../processor/parse/log-parser.js';
import { ClickHouseWriter } from '../../processor/storage/clickhouse-writer.js';
import { createClickHouse } from '../../processor/storage/clickhouse.js';
import { runMigrations } from '../../processor/storage/migrations.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatch-fidelity-'));
const ch = createClickHouse({ mode: 'embedded', dataDir, database: 'fidelity', maxExecutionTimeS: 60 });
afterAll(async () => {
  await ch.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One line of the full layout with hostile text in every string field. */
function trickyLine(i: number): string {
  const texts = ['%2525%zz%', 'a%09b%0Ac%5Cd', '%E2%82%AC%FF', 'back\\slash\\N', '%2D', 'plain', '%', '%41%4'];
  return FIELDS.map((f) => {
    switch (f.kind) {
      case 'timestamp':
        return `17000000${String(i).padStart(2, '0')}.5`;
      case 'status':
        return i % 2 === 0 ? '000' : '404';
      case 'uint':
        return i % 3 === 0 ? '-' : '007';
      case 'seconds':
        return '0.125';
      case 'decimal':
        return '-1.5';
      case 'string':
        return f.name === 'x-edge-request-id' ? `tricky-${i}` : texts[(i + f.position) % texts.length]!;
    }
  }).join('\t');
}

async function storeAndCompare(layout: Layout, lines: string[], table: string): Promise<void> {
  await runMigrations(ch, { rawTtlDays: 3650, minuteTtlDays: 3650, hourTtlDays: 3650 });
  await ch.command(`TRUNCATE TABLE ${ch.database}.requests`);
  const processor = new BatchProcessor({
    sink: new ClickHouseWriter(ch),
    sourceKind: 'test',
    resolveDistribution: () => '',
    formatOf: () => ({ layout, samplingRate: 100 }),
  });
  const records = lines.map((line, i) => ({ data: Buffer.from(`${line}\n`), sequenceNumber: String(100 + i), arrivalMs: 0 }));
  await processor.handle({ stream: table, shardId: 'shardId-0', firstSequence: '100', lastSequence: String(99 + lines.length), records });
  expect(processor.counts().deadLetters).toBe(0);

  const full = new LogParser(layout);
  const columns = layout.fields.filter((f) => f.kind !== 'timestamp').map((f) => f.column);
  const stored = await ch.query<Record<string, unknown>>(
    `SELECT sequence_number, toUnixTimestamp64Milli(timestamp) AS ts, ${columns.join(', ')} FROM ${ch.database}.requests
     ORDER BY toUInt64(sequence_number) SETTINGS output_format_json_quote_64bit_integers = 0`,
  );
  expect(stored).toHaveLength(lines.length);
  stored.forEach((row, i) => {
    const parsed = full.parseLine(lines[i]!, i + 1);
    if (!parsed.ok) throw new Error(parsed.deadLetter.reason);
    expect(row.ts).toBe(parsed.record.timestampMs);
    for (const spec of layout.fields) {
      if (spec.kind === 'timestamp') continue;
      expect(row[spec.column], `${spec.column} of line ${i + 1}`).toEqual(parsed.record.values[spec.position - 1] ?? null);
    }
  });
}

describe('raw lines stored through ClickHouse', () => {
  it('equal the JS parse for hostile text in every field', async () => {
    await storeAndCompare(FULL_LAYOUT, Array.from({ length: 16 }, (_, i) => trickyLine(i)), 'tricky');
  });

  it('equal the JS parse for simulated traffic in a small scrambled layout', async () => {
    const layout = layoutOf(['cs-user-agent', 'sc-status', 'timestamp', 'cs-headers', 'x-edge-request-id', 'cs-uri-stem', 'asn', 'c-country']);
    const generator = createTrafficGenerator({ seed: 7, distributions: DEMO_DISTRIBUTIONS, layout, startMs: Date.UTC(2026, 0, 1) });
    const lines = generator.linesAt(Date.UTC(2026, 0, 1, 0, 5), 300).map((l) => l.replace(/\n$/, ''));
    await storeAndCompare(layout, lines, 'simulated');
  });
});
