/**
 * A record layout: the fields a log config selects, in CloudFront's canonical order.
 */
import { FIELDS, fieldByName, type FieldSpec } from './catalogue.js';

export interface Layout {
  /** Selected fields in delivery (canonical) order. */
  readonly fields: readonly FieldSpec[];
  /** Field names in delivery order, as the API returns them in `RealtimeLogConfig.Fields`. */
  readonly names: readonly string[];
}

export class UnknownFieldError extends Error {
  constructor(readonly fieldNames: readonly string[]) {
    super(`unknown real-time log field${fieldNames.length > 1 ? 's' : ''}: ${fieldNames.join(', ')}`);
    this.name = 'UnknownFieldError';
  }
}

/** Builds the layout from a field set given in any order; duplicates are ignored. */
export function layoutOf(fieldNames: Iterable<string>): Layout {
  const unknown: string[] = [];
  const selected = new Set<FieldSpec>();
  for (const raw of fieldNames) {
    const name = raw.trim();
    if (name === '') continue;
    const spec = fieldByName(name);
    if (spec) selected.add(spec);
    else unknown.push(name);
  }
  if (unknown.length > 0) throw new UnknownFieldError(unknown);
  if (selected.size === 0) throw new Error('a log config needs at least one field');
  const fields = [...selected].sort((a, b) => a.position - b.position);
  return Object.freeze({ fields: Object.freeze(fields), names: Object.freeze(fields.map((f) => f.name)) });
}

/** Parses a comma-separated `--fields` value into a layout. */
export function layoutFromList(list: string): Layout {
  return layoutOf(list.split(','));
}

export const FULL_LAYOUT: Layout = layoutOf(FIELDS.map((f) => f.name));
