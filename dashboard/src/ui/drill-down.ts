/**
 * Drill-down: any element inside `root` with `data-filter-name` / `data-filter-value` (a bar, a
 * country, a table row) adds that filter when clicked or when Enter or Space is pressed on it.
 */

export function enableDrillDown(root: HTMLElement, onFilter: (name: string, value: string) => void): void {
  const targetOf = (event: Event): Element | null => (event.target instanceof Element ? event.target.closest('[data-filter-name]') : null);
  const activate = (target: Element): void => {
    const name = target.getAttribute('data-filter-name');
    const value = target.getAttribute('data-filter-value');
    if (name !== null && value !== null && value !== '') onFilter(name, value);
  };
  root.addEventListener('click', (event) => {
    const target = targetOf(event);
    if (target !== null) activate(target);
  });
  root.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const target = targetOf(event);
    if (target === null) return;
    event.preventDefault();
    activate(target);
  });
}
