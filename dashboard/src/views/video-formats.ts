/**
 * Streaming formats from what the stats API lists: a manifest's format from its path (HLS .m3u8,
 * DASH .mpd, Smooth Streaming …/Manifest), a segment's packaging from its Content-Type.
 */

export type ManifestFormat = 'HLS' | 'DASH' | 'Smooth Streaming' | 'other';

export const MANIFEST_FORMATS: readonly ManifestFormat[] = ['HLS', 'DASH', 'Smooth Streaming', 'other'];

export function manifestFormat(path: string): ManifestFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.m3u8')) return 'HLS';
  if (lower.endsWith('.mpd')) return 'DASH';
  if (/\.isml?\/manifest$/.test(lower) || lower.endsWith('/manifest')) return 'Smooth Streaming';
  return 'other';
}

const SEGMENT_TYPES: Readonly<Record<string, string>> = {
  'video/mp2t': 'MPEG-TS (HLS)',
  'video/iso.segment': 'fMP4 / CMAF (HLS, DASH)',
  'video/mp4': 'MP4 (DASH, Smooth Streaming)',
  'audio/mp4': 'MP4 audio',
  'audio/aac': 'AAC audio (HLS)',
  'text/vtt': 'WebVTT subtitles',
};

export function segmentPackaging(contentType: string): string {
  const base = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (base === '') return '(no Content-Type)';
  return SEGMENT_TYPES[base] ?? base;
}

/** Sums `requests` by a key derived from each row. */
export function sumBy<T>(rows: readonly T[], keyOf: (row: T) => string, valueOf: (row: T) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(keyOf(row), (totals.get(keyOf(row)) ?? 0) + valueOf(row));
  return totals;
}

/**
 * The path prefix that selects live-event requests within the user's own path filter, or null
 * when the two cannot overlap (then nothing in view is live).
 */
export function livePrefixWithin(userPrefix: string | undefined, livePrefix: string): string | null {
  if (userPrefix === undefined || livePrefix.startsWith(userPrefix)) return livePrefix;
  if (userPrefix.startsWith(livePrefix)) return userPrefix;
  return null;
}
