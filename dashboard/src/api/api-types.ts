/**
 * The API's response and parameter types, taken from the API's own modules (types only: nothing
 * of the server is bundled), so a change of the contract fails the dashboard's type check.
 */
export type {
  BreakdownResponse,
  CompareResponse,
  ComparePeriod,
  GeoResponse,
  PercentileName,
  SummaryResponse,
  TimeseriesMetric,
  TimeseriesRank,
  TimeseriesResponse,
  TopOrder,
  TopResponse,
  TopRow,
} from '../../../api/stats/stats-queries.js';
export type { VideoStatsResponse } from '../../../api/stats/video-stats.js';
export type { Definitions, MetricDefinition } from '../../../api/query/definitions.js';
export type { DimensionName, TopDimension } from '../../../api/query/dimensions.js';
export type { FilterName, Filters } from '../../../api/query/filters.js';
export type { IntervalName } from '../../../api/query/intervals.js';
export type { LiveRecord } from '../../../api/live/live-record.js';
export type { SecondCounters } from '../../../api/live/live-counters.js';
export type { Role } from '../../../api/auth/token-store.js';
export type { ApiErrorCode } from '../../../api/errors.js';
export type { WhoAmI } from '../../../api/whoami-route.js';
export type { AlertView } from '../../../api/alerts/alert-view.js';
export type { AlertRule, KindInfo, RuleKind } from '../../../api/alerts/alert-rules.js';
export type { ImportJobProgress, ImportJobState, ImportJobStatus } from '../../../api/imports/import-schemas.js';
export type { ChangeMarker, DistributionChange, LogConfigChange, LogConfigView } from '../../../api/control-plane/control-plane-service.js';
export type { DistributionSummary } from '../../../api/control-plane/provider.js';
export type { DiffEntry } from '../../../api/control-plane/config-diff.js';
export type { ChangeWarning } from '../../../api/control-plane/change-warnings.js';
