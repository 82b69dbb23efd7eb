/**
 * Names users know for the API's values: CloudFront's result types for cache statuses, readable
 * content classes.
 */

export const CACHE_STATUS_LABELS: Readonly<Record<string, string>> = {
  hit: 'Hit',
  refresh_hit: 'RefreshHit',
  origin_shield_hit: 'OriginShieldHit',
  miss: 'Miss',
  error: 'Error',
  redirect: 'Redirect',
  limit_exceeded: 'LimitExceeded',
  capacity_exceeded: 'CapacityExceeded',
  other: 'Other',
};

export const CONTENT_CLASS_LABELS: Readonly<Record<string, string>> = {
  html: 'HTML',
  script: 'Scripts',
  style: 'Stylesheets',
  image: 'Images',
  font: 'Fonts',
  video_segment: 'Video segments',
  video_manifest: 'Video manifests',
  api: 'API',
  websocket: 'WebSocket',
  other: 'Other',
};

export function labelOf(labels: Readonly<Record<string, string>>, value: string): string {
  if (value === '') return '(none)';
  return labels[value] ?? value;
}
