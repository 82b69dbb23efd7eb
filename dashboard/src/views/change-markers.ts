/**
 * Control-plane changes (GET /api/v1/changes: a distribution or log config changed, an invalidation)
 * as markers on time charts, so a shift in the traffic can be read against what was changed. Servers
 * without a control plane give none.
 */
import { ApiRequestError } from '../api/http-client.js';
import { ControlPlaneApi } from '../api/control-plane-api.js';
import type { TimeMarker } from '../charts/line-chart.js';
import type { ResolvedRange } from '../state/time-range.js';
import { changeMarkersOf } from './config-forms.js';
import type { ViewContext } from './view-context.js';

export async function changeMarkers(ctx: ViewContext, range: ResolvedRange): Promise<TimeMarker[]> {
  if (!ctx.capabilities.controlPlane) return [];
  try {
    const response = await new ControlPlaneApi(ctx.http).changes(
      { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), distribution: ctx.state.distributions.join(',') },
      ctx.signal,
    );
    return changeMarkersOf(response.markers, range.fromMs, range.toMs);
  } catch (err) {
    // A server whose control plane does not offer markers (or not to this role): the chart goes without.
    if (err instanceof ApiRequestError && (err.status === 403 || err.status === 404)) return [];
    throw err;
  }
}
