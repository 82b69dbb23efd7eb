/**
 * Filters for every API dimension: the active ones as removable chips, and a form to add one
 * (the filter's name, then its value, with the allowed values suggested).
 */
import type { FilterName } from '../api/api-types.js';
import { FILTERS, filterSpec } from '../state/filter-catalog.js';
import { withFilterValue, withoutFilter, type DashboardState } from '../state/url-state.js';
import { button, h } from './dom.js';

export function filterBar(state: DashboardState, navigate: (next: DashboardState) => void): HTMLElement {
  const chips = Object.entries(state.filters).map(([name, value]) => {
    const spec = filterSpec(name);
    const label = `${spec?.label ?? name}: ${value}`;
    return button(`${label} ✕`, () => navigate(withoutFilter(state, name as FilterName)), { class: 'chip', 'aria-label': `Remove filter ${label}`, 'data-filter-chip': name, 'data-focus-key': `chip-${name}` });
  });

  const nameSelect = h(
    'select',
    { 'aria-label': 'Filter by', 'data-focus-key': 'filter-name', name: 'filter' },
    FILTERS.map((f) => h('option', { value: f.name }, [f.label])),
  );
  const datalist = h('datalist', { id: 'filter-values' });
  const valueInput = h('input', { type: 'text', list: 'filter-values', 'aria-label': 'Filter value', 'data-focus-key': 'filter-value', name: 'value', autocomplete: 'off' });
  const problem = h('span', { class: 'form-problem', role: 'alert' });
  const suggest = (): void => {
    const spec = filterSpec(nameSelect.value);
    valueInput.placeholder = spec?.hint ?? '';
    datalist.replaceChildren(...(spec?.values ?? spec?.suggestions ?? []).map((v) => h('option', { value: v })));
  };
  nameSelect.addEventListener('change', suggest);
  suggest();

  const form = h('form', { class: 'add-filter', 'aria-label': 'Add a filter' }, [nameSelect, valueInput, datalist, h('button', { type: 'submit', 'data-focus-key': 'filter-add' }, ['Add filter']), problem]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const spec = filterSpec(nameSelect.value);
    if (spec === undefined) return;
    const values = valueInput.value
      .split(spec.multiple ? ',' : /$^/)
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0) {
      problem.textContent = `Enter a value: ${spec.hint}.`;
      return;
    }
    const unknown = spec.values === undefined ? [] : values.filter((v) => !spec.values?.includes(v));
    if (unknown.length > 0) {
      problem.textContent = `${spec.label} can be: ${spec.values?.join(', ') ?? ''}.`;
      return;
    }
    let next = state;
    for (const value of values) next = withFilterValue(next, spec.name, spec.name === 'country' || spec.name === 'pop' ? value.toUpperCase() : value, spec.multiple);
    navigate(next);
  });

  return h('div', { class: 'filter-bar' }, [
    h('div', { class: 'chips', 'aria-label': 'Active filters', role: 'group' }, chips.length === 0 ? [h('span', { class: 'muted' }, ['No filters'])] : chips),
    form,
  ]);
}
