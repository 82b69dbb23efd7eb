/**
 * What a change does, member by member: `[{ path, before, after }]` between two JSON values, paths
 * in the API model's terms (`cacheBehaviors[0].viewerProtocolPolicy`). Arrays are compared by
 * index, so a reordered list shows as changed positions (order matters: behaviors match in order).
 */

export interface DiffEntry {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function walk(path: string, before: unknown, after: unknown, out: DiffEntry[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const a: readonly unknown[] = before;
    const b: readonly unknown[] = after;
    // Lists of plain values read better whole (`countries: [FR] → [FR, DE]`).
    if ([...a, ...b].every((v) => !isObject(v) && !Array.isArray(v))) {
      if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
      return;
    }
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) walk(`${path}[${i}]`, a[i] ?? null, b[i] ?? null, out);
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) walk(path === '' ? key : `${path}.${key}`, before[key] ?? null, after[key] ?? null, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path === '' ? '.' : path, before: before ?? null, after: after ?? null });
}

export function diffValues(before: unknown, after: unknown): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk('', before ?? null, after ?? null, out);
  return out;
}
