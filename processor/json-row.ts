/**
 * An enriched record as a JSON object keyed by ClickHouse column names (the `parse` command's output).
 */
import type { Layout } from './fields/layout.js';
import type { EnrichedRecord } from './types.js';

export function toJsonRow(layout: Layout, enriched: EnrichedRecord): Record<string, unknown> {
  const { record, derived } = enriched;
  const row: Record<string, unknown> = {};
  for (const spec of layout.fields) {
    const value = record.values[spec.position - 1] ?? null;
    row[spec.column] = spec.kind === 'timestamp' ? new Date(record.timestampMs).toISOString() : value;
  }
  return Object.assign(row, derived);
}
