/**
 * A small segmented choice made of native radio buttons (arrow keys move between them).
 */
import { h } from './dom.js';

let groupCounter = 0;

export function radioGroup(legend: string, choices: readonly { readonly value: string; readonly label: string }[], selected: string, onChange: (value: string) => void): HTMLElement {
  const name = `choice-${++groupCounter}`;
  return h(
    'fieldset',
    { class: 'segmented' },
    [
      h('legend', { class: 'visually-hidden' }, [legend]),
      ...choices.map((choice) => {
        const input = h('input', { type: 'radio', name, value: choice.value, checked: choice.value === selected, 'data-choice': choice.value });
        input.addEventListener('change', () => {
          if (input.checked) onChange(choice.value);
        });
        return h('label', {}, [input, h('span', {}, [choice.label])]);
      }),
    ],
  );
}
