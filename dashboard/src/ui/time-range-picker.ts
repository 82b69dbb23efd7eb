/**
 * The time range picker: presets (15 min … 30 days) and a custom range in local time. Brushing a
 * chart also sets a custom range.
 */
import { RANGE_PRESET_NAMES, customRange, rangeLabel, type TimeRange } from '../state/time-range.js';
import { button, h } from './dom.js';

/** `datetime-local` value (local time, minutes) of epoch ms. */
function localInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function timeRangePicker(range: TimeRange, nowMs: number, onChange: (range: TimeRange) => void): HTMLElement {
  const presets = h(
    'div',
    { class: 'segmented presets', role: 'group', 'aria-label': 'Time range' },
    RANGE_PRESET_NAMES.map((preset) =>
      button(preset, () => onChange({ kind: 'preset', preset }), {
        'aria-pressed': String(range.kind === 'preset' && range.preset === preset),
        'data-range': preset,
        'data-focus-key': `range-${preset}`,
      }),
    ),
  );
  const fromMs = range.kind === 'custom' ? range.fromMs : nowMs - 3_600_000;
  const toMs = range.kind === 'custom' ? range.toMs : nowMs;
  const from = h('input', { type: 'datetime-local', value: localInputValue(fromMs), 'aria-label': 'From (local time)', 'data-focus-key': 'range-from' });
  const to = h('input', { type: 'datetime-local', value: localInputValue(toMs), 'aria-label': 'To (local time)', 'data-focus-key': 'range-to' });
  const problem = h('span', { class: 'form-problem', role: 'alert' });
  const custom = h('form', { class: 'custom-range', 'aria-label': 'Custom time range' }, [from, h('span', { 'aria-hidden': 'true' }, ['–']), to, h('button', { type: 'submit', 'data-focus-key': 'range-apply' }, ['Apply']), problem]);
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = customRange(new Date(from.value).getTime(), new Date(to.value).getTime());
    if (next === null) problem.textContent = 'The range must end at least a minute after it starts.';
    else onChange(next);
  });
  const details = h('details', { class: 'custom-range-toggle', open: range.kind === 'custom' }, [h('summary', { 'data-focus-key': 'range-custom' }, ['Custom']), custom]);
  return h('div', { class: 'time-range' }, [presets, details, h('span', { class: 'range-label', 'data-range-label': '' }, [rangeLabel(range)])]);
}
