/**
 * Reading a JSON message off a topic that anyone with write access can fill: parsed and checked
 * against a schema, never throwing; what is wrong comes back as a reason to count and log.
 */
import type { z } from 'zod';

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The message's JSON, or why it has none. */
export function parseJsonMessage(value: Buffer | null): Decoded<unknown> {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message' };
  try {
    return { ok: true, value: JSON.parse(value.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

/** The JSON checked against `schema`; the reason names the first problem and where it is. */
export function checkJsonMessage<S extends z.ZodTypeAny>(json: unknown, schema: S, what: string): Decoded<z.infer<S>> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid ${what}: ${issue === undefined ? 'unknown' : `${issue.path.join('.')}: ${issue.message}`}` };
}
