/**
 * A row of headline numbers, each with its change against an earlier period when comparing.
 */
import type { DeltaText } from '../format/format.js';
import { h } from './dom.js';

export interface Kpi {
  readonly key: string;
  readonly label: string;
  readonly value: string;
  /** How the value is computed (shown on hover and to screen readers). */
  readonly definition?: string;
  readonly delta?: DeltaText & {
    /** Whether this direction is good news (colours it), null when neutral. */
    readonly good: boolean | null;
    readonly against: string;
  };
}

export function kpiRow(items: readonly Kpi[]): HTMLElement {
  return h(
    'dl',
    { class: 'kpis' },
    items.map((kpi) => {
      const tone = kpi.delta === undefined || kpi.delta.good === null || kpi.delta.direction === 'flat' ? 'neutral' : kpi.delta.good ? 'good' : 'bad';
      return h('div', { class: 'kpi', 'data-kpi': kpi.key, title: kpi.definition }, [
        h('dt', {}, [kpi.label]),
        h('dd', { class: 'kpi-value' }, [kpi.value]),
        kpi.delta === undefined ? null : h('dd', { class: `kpi-delta ${tone}` }, [`${kpi.delta.text} ${kpi.delta.against}`]),
      ]);
    }),
  );
}
