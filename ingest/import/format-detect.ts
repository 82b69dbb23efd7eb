/**
 * Which kind of log an object holds: standard access logs start with `#Version` / `#Fields`
 * headers (and their keys have the `DISTRIBUTIONID.YYYY-MM-DD-HH.unique.gz` shape); anything else
 * is taken for real-time log lines.
 */

export const LOG_FORMATS = ['standard', 'realtime'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function detectFormat(firstLine: string | undefined, standardName: boolean): LogFormat {
  if (firstLine !== undefined) {
    if (firstLine.startsWith('#Version') || firstLine.startsWith('#Fields')) return 'standard';
    if (firstLine.length > 0) return 'realtime';
  }
  return standardName ? 'standard' : 'realtime';
}
