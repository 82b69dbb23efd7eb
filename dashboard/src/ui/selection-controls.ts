/**
 * The distribution selector and the period comparison selector.
 */
import type { ComparePeriod } from '../api/api-types.js';
import { COMPARE_PERIODS, type DashboardState } from '../state/url-state.js';
import { h } from './dom.js';

export interface DistributionChoice {
  readonly id: string;
  readonly label: string;
}

export function distributionSelect(state: DashboardState, choices: readonly DistributionChoice[], navigate: (next: DashboardState) => void): HTMLElement {
  const selected = state.distributions.join(',');
  const known = new Set(choices.map((c) => c.id));
  const options = [
    h('option', { value: '', selected: selected === '' }, ['All distributions']),
    ...choices.map((c) => h('option', { value: c.id, selected: selected === c.id }, [c.label])),
    // A selection from a link that is not among the listed ones stays visible.
    selected !== '' && !known.has(selected) ? h('option', { value: selected, selected: true }, [selected]) : null,
  ];
  const select = h('select', { 'aria-label': 'Distribution', 'data-focus-key': 'distribution', 'data-control': 'distribution' }, options);
  select.addEventListener('change', () => navigate({ ...state, distributions: select.value === '' ? [] : select.value.split(',') }));
  return h('label', { class: 'control' }, [h('span', { class: 'control-label' }, ['Distribution']), select]);
}

const COMPARE_TEXT: Readonly<Record<ComparePeriod, string>> = { '1h': '1 hour earlier', '1d': '1 day earlier', '7d': '7 days earlier', '28d': '28 days earlier' };

export function compareSelect(state: DashboardState, navigate: (next: DashboardState) => void): HTMLElement {
  const select = h('select', { 'aria-label': 'Compare with', 'data-focus-key': 'compare', 'data-control': 'compare' }, [
    h('option', { value: '', selected: state.compare === null }, ['No comparison']),
    ...COMPARE_PERIODS.map((p) => h('option', { value: p, selected: state.compare === p }, [`vs. ${COMPARE_TEXT[p]}`])),
  ]);
  select.addEventListener('change', () => navigate({ ...state, compare: select.value === '' ? null : (select.value as ComparePeriod) }));
  return h('label', { class: 'control' }, [h('span', { class: 'control-label' }, ['Compare']), select]);
}
