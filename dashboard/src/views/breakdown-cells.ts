/**
 * What the views draw from a two-dimension breakdown (GET /api/v1/stats/breakdown): heatmap cells
 * (POP × country) and TLS cipher shares (protocol × cipher). Pure, tested without a browser.
 */
import type { BreakdownResponse } from '../api/api-types.js';
import type { HeatCell } from '../charts/heatmap.js';

type Cell = BreakdownResponse['cells'][number];

export interface HeatmapData {
  /** Values of the breakdown's first dimension, busiest first. */
  readonly rows: readonly string[];
  /** Values of its second dimension, busiest first. */
  readonly columns: readonly string[];
  readonly cells: readonly HeatCell[];
}

/** Rows are the first dimension, columns the second; values that are empty ('' : not logged) are left out. */
export function heatmapOf(response: BreakdownResponse, value: (cell: Cell) => number | null): HeatmapData {
  const rows = response.values[0].map((v) => v.value).filter((v) => v !== '');
  const columns = response.values[1].map((v) => v.value).filter((v) => v !== '');
  const cells = response.cells
    .filter((c) => c.values[0] !== '' && c.values[1] !== '')
    .map((c) => ({ row: c.values[0], column: c.values[1], value: value(c) }));
  return { rows, columns, cells };
}

export interface CipherShare {
  readonly protocol: string;
  readonly cipher: string;
  readonly requests: number;
  /** Share of the TLS requests listed (every protocol × cipher cell with both logged). */
  readonly share: number;
}

/** Cipher suites by share of TLS requests, busiest first, from a breakdown by sslProtocol × sslCipher. */
export function cipherShares(response: BreakdownResponse): CipherShare[] {
  const [first] = response.by;
  const protocolFirst = first === 'sslProtocol';
  const tls = response.cells
    .map((c) => ({ protocol: protocolFirst ? c.values[0] : c.values[1], cipher: protocolFirst ? c.values[1] : c.values[0], requests: c.requests }))
    .filter((c) => c.protocol !== '' && c.cipher !== '' && c.requests > 0);
  const total = tls.reduce((sum, c) => sum + c.requests, 0);
  return tls
    .map((c) => ({ ...c, share: total > 0 ? c.requests / total : 0 }))
    .sort((a, b) => b.requests - a.requests || a.cipher.localeCompare(b.cipher) || a.protocol.localeCompare(b.protocol));
}
