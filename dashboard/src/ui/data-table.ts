/**
 * A sortable table. Cells are text; header buttons sort (and say so with aria-sort); rows that name
 * a filter are focusable and narrow the dashboard on click or Enter.
 */
import { button, h } from './dom.js';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: T) => string | number | null;
  /** Text of a value; default String(value). */
  readonly format?: (value: number) => string;
  readonly numeric?: boolean;
  /** Truncated with an ellipsis; the full text is in the cell's title. */
  readonly long?: boolean;
  /** Makes the cell a link to this same-page address (a dashboard view), or plain text when null. */
  readonly href?: (row: T) => string | null;
}

export interface DataTableOptions<T> {
  readonly caption: string;
  readonly sortKey?: string;
  readonly descending?: boolean;
  readonly drill?: (row: T) => { readonly name: string; readonly value: string } | undefined;
  readonly id?: string;
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function dataTable<T>(rows: readonly T[], columns: readonly Column<T>[], options: DataTableOptions<T>): HTMLElement {
  let sortKey = options.sortKey ?? columns[0]?.key ?? '';
  let descending = options.descending ?? true;
  const tbody = h('tbody');
  const headerCells = new Map<string, HTMLTableCellElement>();

  const cellText = (column: Column<T>, row: T): string => {
    const value = column.value(row);
    if (value === null) return '—';
    return typeof value === 'number' && column.format !== undefined ? column.format(value) : String(value);
  };

  const renderBody = (): void => {
    const column = columns.find((c) => c.key === sortKey);
    const sorted = column === undefined ? [...rows] : [...rows].sort((a, b) => (descending ? -1 : 1) * compare(column.value(a), column.value(b)));
    tbody.replaceChildren(
      ...sorted.map((row) => {
        const filter = options.drill?.(row);
        return h(
          'tr',
          filter === undefined ? {} : { class: 'drill', tabindex: 0, 'data-filter-name': filter.name, 'data-filter-value': filter.value, title: 'Select to filter by this value' },
          columns.map((c) => {
            const text = cellText(c, row);
            const href = c.href?.(row) ?? null;
            return h('td', { class: [c.numeric === true ? 'num' : '', c.long === true ? 'long' : ''].join(' ').trim() || undefined, title: c.long === true ? text : undefined }, [
              href === null ? text : h('a', { href }, [text]),
            ]);
          }),
        );
      }),
    );
    for (const [key, th] of headerCells) th.setAttribute('aria-sort', key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
  };

  const header = h(
    'tr',
    {},
    columns.map((c) => {
      const th = h('th', { scope: 'col', class: c.numeric === true ? 'num' : undefined }, [
        button(c.label, () => {
          if (sortKey === c.key) descending = !descending;
          else {
            sortKey = c.key;
            descending = c.numeric === true;
          }
          renderBody();
        }, { class: 'sort-button' }),
      ]);
      headerCells.set(c.key, th);
      return th;
    }),
  );
  renderBody();
  return h('div', { class: 'table-wrap', 'data-table': options.id }, [h('table', {}, [h('caption', { class: 'visually-hidden' }, [options.caption]), h('thead', {}, [header]), tbody])]);
}
