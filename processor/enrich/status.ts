/** HTTP status class of a response from `sc-status`. */

const CLASSES = ['', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * '1xx' … '5xx'; '000' when the viewer closed the connection before a response (§1.2);
 * '' when the status is absent or outside 100–599.
 */
export function statusClass(status: number | string | null): string {
  if (status === null) return '';
  const code = typeof status === 'number' ? status : Number(status);
  if (code === 0) return '000';
  if (!Number.isInteger(code) || code < 100 || code > 599) return '';
  return CLASSES[Math.floor(code / 100)] ?? '';
}
