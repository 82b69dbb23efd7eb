/**
 * Alert rules: what each kind watches, its parameters, and the built-in defaults.
 *
 * A rule with `distribution: ''` is the default for every distribution; a rule naming a distribution
 * replaces the default of its kind for that distribution. Each distribution (and, for a geo-blocked
 * rule with `perCountry`, each country) is its own alert.
 *
 * Every kind compares one metric of a short window (`windowS`, ending now) with a threshold; spike
 * and drop kinds work it out from a baseline (the `baselineS` before the window). Minimum counts are
 * on sampled lines actually seen, so a low sampling rate does not make noise look like a spike.
 */

export const RULE_KINDS = [
  'geoBlockedSpike',
  'errorRate5xx',
  'errorRate4xx',
  'cacheHitRatioDrop',
  'originLatencyP95',
  'edgeFunctionErrors',
  'trafficDrop',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRule {
  readonly id: string;
  readonly name: string;
  readonly kind: RuleKind;
  /** Distribution ID; '' for the default of every distribution. */
  readonly distribution: string;
  readonly enabled: boolean;
  readonly severity: Severity;
  /** The window the metric is measured over, ending now. */
  readonly windowS: number;
  /** The trailing window before it that gives the baseline (spike and drop kinds). */
  readonly baselineS: number;
  /** How long the condition must hold before the alert fires (pending until then). */
  readonly forS: number;
  /** How long the condition must stay clear before a firing alert resolves. */
  readonly holdS: number;
  /** Least sampled lines (see KIND_INFO[kind].minSampled) for the condition to count. */
  readonly minSampled: number;
  /** The kind's threshold (see KIND_INFO[kind].threshold). */
  readonly threshold: number;
  /** Lowest baseline a spike is measured against (geo-blocked requests per second). */
  readonly floor: number;
  /** geoBlockedSpike only: one alert per viewer country instead of one per distribution. */
  readonly perCountry: boolean;
  readonly updatedAt: string;
}

/** The editable part of a rule. */
export type RuleSpec = Omit<AlertRule, 'id' | 'updatedAt'>;

export interface KindInfo {
  /** The metric the alert reports (`value`, `threshold` and `baseline` are in its unit). */
  readonly metric: string;
  readonly unit: string;
  readonly description: string;
  /** What `threshold` means for this kind. */
  readonly threshold: string;
  /** Lowest and highest threshold accepted. */
  readonly thresholdRange: readonly [number, number];
  /** What `minSampled` counts. */
  readonly minSampled: string;
  /** True when the kind compares with a baseline. */
  readonly usesBaseline: boolean;
}

export const KIND_INFO: Readonly<Record<RuleKind, KindInfo>> = {
  geoBlockedSpike: {
    metric: 'geoBlockedPerSecond',
    unit: 'requests/s',
    description:
      'Geo-blocked requests (x-edge-detailed-result-type ClientGeoBlocked) per second over the window, against the rate of the baseline window before it.',
    threshold: 'factor: fires when the rate reaches threshold × max(baseline rate, floor)',
    thresholdRange: [1, 1000],
    minSampled: 'sampled geo-blocked lines in the window',
    usesBaseline: true,
  },
  errorRate5xx: {
    metric: 'errorRate5xx',
    unit: 'fraction',
    description: 'Requests with status 500–599 ÷ all requests over the window.',
    threshold: 'fraction (0–1): fires at or above it',
    thresholdRange: [0.0001, 1],
    minSampled: 'sampled 5xx lines in the window',
    usesBaseline: false,
  },
  errorRate4xx: {
    metric: 'errorRate4xx',
    unit: 'fraction',
    description:
      'Requests with status 400–499, geo-blocked ones left out (they have their own rule), ÷ all requests over the window.',
    threshold: 'fraction (0–1): fires at or above it',
    thresholdRange: [0.0001, 1],
    minSampled: 'sampled 4xx lines (not geo-blocked) in the window',
    usesBaseline: false,
  },
  cacheHitRatioDrop: {
    metric: 'cacheHitRatio',
    unit: 'fraction',
    description: 'Cache hit ratio (CloudWatch style: hits ÷ cacheable requests) over the window, against the ratio of the baseline window.',
    threshold: 'drop in ratio points (0–1): fires when the ratio is at or below baseline − threshold',
    thresholdRange: [0.01, 1],
    minSampled: 'sampled cacheable lines in the window (and in the baseline)',
    usesBaseline: true,
  },
  originLatencyP95: {
    metric: 'originLatencyP95Ms',
    unit: 'ms',
    description: '95th percentile of origin first-byte latency (origin-fbl) over the window, weighted by sampling rate.',
    threshold: 'milliseconds: fires at or above it',
    thresholdRange: [1, 600_000],
    minSampled: 'sampled lines with an origin latency in the window',
    usesBaseline: false,
  },
  edgeFunctionErrors: {
    metric: 'edgeFunctionErrorsPerSecond',
    unit: 'requests/s',
    description:
      'Requests failed by an edge function per second over the window: result type LambdaExecutionError, and the CloudFront Functions types FunctionExecutionError and FunctionThrottledError (reported by third parties, not confirmed by AWS).',
    threshold: 'requests per second: fires at or above it',
    thresholdRange: [0.0001, 1_000_000],
    minSampled: 'sampled edge function error lines in the window',
    usesBaseline: false,
  },
  trafficDrop: {
    metric: 'requestsPerSecond',
    unit: 'requests/s',
    description: 'Requests per second over the window, against the rate of the baseline window: a distribution that goes silent.',
    threshold: 'fraction of the baseline left (0–1): fires when the rate is at or below threshold × baseline',
    thresholdRange: [0, 0.99],
    minSampled: 'sampled lines the baseline rate predicts for the window (quiet distributions never fire)',
    usesBaseline: true,
  },
};

/** Longest window plus baseline the in-process counters keep (seconds). */
export const MAX_HISTORY_S = 3_600;

export const RULE_LIMITS = {
  windowS: [5, 900],
  baselineS: [60, MAX_HISTORY_S - 900],
  forS: [0, 3_600],
  holdS: [0, 86_400],
  minSampled: [1, 1_000_000],
  floor: [0, 1_000_000],
} as const satisfies Record<string, readonly [number, number]>;

type Defaults = Omit<RuleSpec, 'distribution' | 'enabled' | 'perCountry'> & { readonly id: string };

const DEFAULTS: readonly Defaults[] = [
  // Short window and pending time (confirmed by an evaluation when it ends): a burst fires within seconds.
  { id: 'default-geo-blocked-spike', name: 'Geo-blocked requests spike', kind: 'geoBlockedSpike', severity: 'warning', windowS: 30, baselineS: 900, forS: 3, holdS: 60, minSampled: 20, threshold: 3, floor: 0.5 },
  { id: 'default-5xx-rate', name: '5xx error rate', kind: 'errorRate5xx', severity: 'critical', windowS: 60, baselineS: 900, forS: 30, holdS: 120, minSampled: 20, threshold: 0.05, floor: 0 },
  { id: 'default-4xx-rate', name: '4xx error rate', kind: 'errorRate4xx', severity: 'warning', windowS: 60, baselineS: 900, forS: 60, holdS: 120, minSampled: 50, threshold: 0.2, floor: 0 },
  { id: 'default-cache-hit-ratio-drop', name: 'Cache hit ratio drop', kind: 'cacheHitRatioDrop', severity: 'warning', windowS: 120, baselineS: 1_800, forS: 120, holdS: 300, minSampled: 200, threshold: 0.2, floor: 0 },
  { id: 'default-origin-latency-p95', name: 'Origin latency p95', kind: 'originLatencyP95', severity: 'warning', windowS: 120, baselineS: 900, forS: 60, holdS: 120, minSampled: 50, threshold: 2_000, floor: 0 },
  { id: 'default-edge-function-errors', name: 'Edge function errors', kind: 'edgeFunctionErrors', severity: 'critical', windowS: 60, baselineS: 900, forS: 30, holdS: 120, minSampled: 5, threshold: 0.2, floor: 0 },
  { id: 'default-traffic-drop', name: 'Traffic drop', kind: 'trafficDrop', severity: 'critical', windowS: 60, baselineS: 900, forS: 60, holdS: 60, minSampled: 100, threshold: 0.2, floor: 0 },
];

/** The built-in rules: one per kind, for every distribution. */
export function defaultRules(nowMs: number = Date.now()): AlertRule[] {
  const updatedAt = new Date(nowMs).toISOString();
  return DEFAULTS.map(({ id, ...spec }) => ({ id, ...spec, distribution: '', enabled: true, perCountry: false, updatedAt }));
}

/** The default parameters of a kind (what a new rule of that kind starts from). */
export function kindDefaults(kind: RuleKind): Omit<RuleSpec, 'name' | 'distribution'> {
  const found = DEFAULTS.find((d) => d.kind === kind);
  if (found === undefined) throw new Error(`no defaults for alert kind ${kind}`);
  const { id: _id, name: _name, ...rest } = found;
  return { ...rest, enabled: true, perCountry: false };
}

/** A problem with a rule, naming the field at fault. */
export class RuleValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'RuleValidationError';
  }
}

function inRange(field: keyof typeof RULE_LIMITS, value: number): void {
  const [low, high] = RULE_LIMITS[field];
  if (!Number.isFinite(value) || value < low || value > high) throw new RuleValidationError(field, `must be between ${low} and ${high}`);
}

/** Checks what JSON schemas cannot: ranges that depend on the kind, and combinations. Throws RuleValidationError. */
export function validateRuleSpec(spec: RuleSpec): void {
  if (!(RULE_KINDS as readonly string[]).includes(spec.kind)) throw new RuleValidationError('kind', `must be one of ${RULE_KINDS.join(', ')}`);
  if (spec.name.trim() === '' || spec.name.length > 100 || /\p{Cc}/u.test(spec.name)) {
    throw new RuleValidationError('name', 'must be 1–100 characters without control characters');
  }
  for (const field of ['windowS', 'baselineS', 'forS', 'holdS', 'minSampled', 'floor'] as const) inRange(field, spec[field]);
  const [low, high] = KIND_INFO[spec.kind].thresholdRange;
  if (!Number.isFinite(spec.threshold) || spec.threshold < low || spec.threshold > high) {
    throw new RuleValidationError('threshold', `for ${spec.kind} must be between ${low} and ${high} (${KIND_INFO[spec.kind].threshold})`);
  }
  if (spec.windowS + spec.baselineS > MAX_HISTORY_S) {
    throw new RuleValidationError('baselineS', `windowS + baselineS may be at most ${MAX_HISTORY_S} seconds`);
  }
  if (spec.perCountry && spec.kind !== 'geoBlockedSpike') throw new RuleValidationError('perCountry', 'applies to geoBlockedSpike rules only');
}

/**
 * The rule that applies to each kind for a distribution: its own rule of that kind if it has one,
 * else the default. Several rules of one kind for one distribution: all of them apply.
 */
export function rulesFor(distribution: string, rules: readonly AlertRule[]): AlertRule[] {
  const own = rules.filter((r) => r.distribution === distribution && distribution !== '');
  const ownKinds = new Set(own.map((r) => r.kind));
  const defaults = rules.filter((r) => r.distribution === '' && !ownKinds.has(r.kind));
  return [...own, ...defaults].filter((r) => r.enabled);
}
