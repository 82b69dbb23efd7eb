/**
 * The real-time log fields grouped by meaning, with what each costs in a record: a typical size and
 * the largest CloudFront writes (reference §1.8: headers and cookies are capped at 800 bytes). The
 * sizes are rough figures from public records, for the cost estimate; the field set itself comes
 * from processor/fields/catalogue.ts.
 */
import { FIELDS } from '../../processor/fields/catalogue.js';

export interface FieldGroup {
  readonly id: string;
  readonly label: string;
  readonly fields: readonly FieldCost[];
}

export interface FieldCost {
  readonly name: string;
  readonly position: number;
  /** Typical bytes of the value plus its tab. */
  readonly typicalBytes: number;
  readonly maxBytes: number;
}

const GROUPS: ReadonlyArray<readonly [id: string, label: string, matches: (name: string) => boolean]> = [
  ['timing', 'Time and latency', (n) => ['timestamp', 'time-to-first-byte', 'time-taken', 'origin-fbl', 'origin-lbl'].includes(n)],
  ['viewer', 'Viewer', (n) => ['c-ip', 'c-ip-version', 'c-port', 'c-country', 'asn', 'cs-user-agent', 'cs-referer', 'x-forwarded-for'].includes(n)],
  ['request', 'Request', (n) => n.startsWith('cs-')],
  ['response', 'Response', (n) => n.startsWith('sc-')],
  ['tls', 'TLS and field-level encryption', (n) => n.startsWith('ssl-') || n.startsWith('fle-')],
  ['cmcd', 'Video players (CMCD)', (n) => n.startsWith('cmcd-')],
  ['deployment', 'Continuous deployment and tenants', (n) => n.startsWith('primary-distribution') || n === 'distribution-tenant-id'],
  ['edge', 'Edge and cache result', () => true],
];

const TYPICAL: Readonly<Record<string, number>> = {
  timestamp: 15, 'c-ip': 14, 's-ip': 14, 'time-to-first-byte': 6, 'sc-status': 4, 'sc-bytes': 6, 'cs-method': 4, 'cs-protocol': 6,
  'cs-host': 22, 'cs-uri-stem': 48, 'cs-bytes': 4, 'x-edge-location': 9, 'x-edge-request-id': 57, 'x-host-header': 30, 'time-taken': 6,
  'cs-protocol-version': 9, 'c-ip-version': 5, 'cs-user-agent': 110, 'cs-referer': 45, 'cs-cookie': 40, 'cs-uri-query': 20,
  'x-edge-response-result-type': 5, 'x-forwarded-for': 2, 'ssl-protocol': 8, 'ssl-cipher': 28, 'x-edge-result-type': 5,
  'fle-encrypted-fields': 2, 'fle-status': 2, 'sc-content-type': 20, 'sc-content-len': 6, 'sc-range-start': 2, 'sc-range-end': 2,
  'c-port': 6, 'x-edge-detailed-result-type': 5, 'c-country': 3, 'cs-accept-encoding': 18, 'cs-accept': 30,
  'cache-behavior-path-pattern': 8, 'cs-headers': 500, 'cs-header-names': 150, 'cs-headers-count': 3, 'primary-distribution-id': 15,
  'primary-distribution-dns-name': 30, 'origin-fbl': 6, 'origin-lbl': 6, asn: 6,
};
/** CloudFront caps these at 800 bytes. */
const CAPPED = new Set(['cs-headers', 'cs-header-names', 'cs-cookie']);
const DEFAULT_TYPICAL = 3;

export function fieldCost(name: string, position: number): FieldCost {
  const typicalBytes = TYPICAL[name] ?? DEFAULT_TYPICAL;
  const maxBytes = CAPPED.has(name) ? 801 : name === 'cs-uri-stem' || name === 'cs-uri-query' || name === 'cs-user-agent' || name === 'cs-referer' ? 8_193 : Math.max(typicalBytes, 64);
  return { name, position, typicalBytes, maxBytes };
}

export const FIELD_GROUPS: readonly FieldGroup[] = GROUPS.map(([id, label]) => ({
  id,
  label,
  fields: FIELDS.filter((f) => GROUPS.find(([, , matches]) => matches(f.name))?.[0] === id).map((f) => fieldCost(f.name, f.position)),
}));

const COST_BY_NAME = new Map(FIELD_GROUPS.flatMap((g) => g.fields.map((f) => [f.name, f] as const)));

/** Typical bytes of one record with these fields (with its newline). */
export function typicalRecordBytes(fields: readonly string[]): number {
  return fields.reduce((sum, name) => sum + (COST_BY_NAME.get(name)?.typicalBytes ?? DEFAULT_TYPICAL), 1);
}
