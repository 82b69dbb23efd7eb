/**
 * The prices the capacity planner uses: the one file where a price may be written down. Each has
 * its source and the date it was read; where no public list price could be read, `usd` is null and
 * the planner reports that cost as unknown instead of guessing.
 */

export type PriceConfidence =
  /** Stated by AWS. */
  | 'aws'
  /** Stated by a third party and not confirmed by AWS. */
  | 'unconfirmed';

export interface Price {
  /** US dollars per `unit`; null when no public list price is known. */
  readonly usd: number | null;
  readonly unit: string;
  readonly source: string;
  /** When the source was read (YYYY-MM-DD). */
  readonly date: string;
  readonly confidence: PriceConfidence | null;
  readonly note?: string;
}

export interface PriceList {
  readonly realtimeLogLines: Price;
  readonly kinesisShardHour: Price;
  readonly kinesisPutPayloadUnits: Price;
  readonly kinesisOnDemandStreamHour: Price;
  readonly kinesisOnDemandDataInGb: Price;
  readonly kinesisOnDemandDataOutGb: Price;
}

const KINESIS_PRICING_PAGE = 'https://aws.amazon.com/kinesis/data-streams/pricing/ (read 2026-11-30: billing dimensions only; the dollar amounts are not in the page text)';

export const PRICES: PriceList = Object.freeze<PriceList>({
  realtimeLogLines: {
    usd: 0.01,
    unit: '1,000,000 log lines',
    source:
      'CloudFront real-time logs reference §1.8 and Appendix A item 7: AWS bills real-time logs per log line (What\'s New, 2024-04); the rate comes from a third-party document',
    date: '2026-11-30',
    confidence: 'unconfirmed',
    note: 'AWS confirms only that real-time logs are billed per log line, on top of Kinesis',
  },
  kinesisShardHour: {
    usd: 0.015,
    unit: 'shard-hour (provisioned mode)',
    source: `https://kindatechnical.com/aws-kinesis/lesson-29-understanding-kinesis-pricing.html (third-party worked example, Region not named); billing unit from ${KINESIS_PRICING_PAGE}`,
    date: '2026-11-30',
    confidence: 'unconfirmed',
    note: 'varies by Region; check the pricing page for your Region',
  },
  kinesisPutPayloadUnits: {
    usd: 0.014,
    unit: '1,000,000 PUT payload units (25 KB chunks of a record, provisioned mode)',
    source: `https://github.com/EveryMundo/aws-kinesis-client/blob/master/docs/why-we-created-this-package.md (third-party, US West (Oregon), undated); billing unit from ${KINESIS_PRICING_PAGE}`,
    date: '2026-11-30',
    confidence: 'unconfirmed',
    note: 'varies by Region; check the pricing page for your Region',
  },
  kinesisOnDemandStreamHour: {
    usd: null,
    unit: 'stream-hour (on-demand mode)',
    source: KINESIS_PRICING_PAGE,
    date: '2026-11-30',
    confidence: null,
  },
  kinesisOnDemandDataInGb: {
    usd: null,
    unit: 'GB written (on-demand mode; each record rounded up to 1 KB)',
    source: KINESIS_PRICING_PAGE,
    date: '2026-11-30',
    confidence: null,
  },
  kinesisOnDemandDataOutGb: {
    usd: null,
    unit: 'GB read (on-demand mode)',
    source: KINESIS_PRICING_PAGE,
    date: '2026-11-30',
    confidence: null,
  },
});
