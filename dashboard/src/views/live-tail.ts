/**
 * The live tail: sampled requests as they arrive, newest first, with pause and a text filter.
 * Every cell is text (textContent): URIs and user agents come from viewers and may hold markup.
 */
import type { LiveRecord } from '../api/api-types.js';
import { formatBytes, formatClock, formatMs } from '../format/format.js';
import { button, h } from '../ui/dom.js';

const MAX_KEPT = 500;
const FLUSH_MS = 250;

interface Column {
  readonly label: string;
  readonly text: (r: LiveRecord, timeZone: string | undefined) => string;
  readonly className?: string;
}

const COLUMNS: readonly Column[] = [
  { label: 'Time', text: (r, tz) => formatClock(r.timestampMs, tz), className: 'num' },
  { label: 'Country', text: (r) => r.country || '—' },
  { label: 'POP', text: (r) => r.edgeLocation ?? (r.pop || '—') },
  { label: 'Method', text: (r) => r.method ?? '—' },
  { label: 'Status', text: (r) => (r.status === null ? '—' : String(r.status)), className: 'num' },
  { label: 'Cache result', text: (r) => r.detailedResultType ?? r.resultType ?? r.cacheStatus },
  { label: 'URI', text: (r) => r.path ?? '—', className: 'long' },
  { label: 'TTFB', text: (r) => formatMs(r.ttfbMs), className: 'num' },
  { label: 'Bytes', text: (r) => formatBytes(r.bytes), className: 'num' },
  { label: 'User agent', text: (r) => r.userAgent ?? '—', className: 'long' },
];

export class LiveTail {
  readonly element: HTMLElement;
  readonly #tbody = h('tbody');
  readonly #status = h('p', { class: 'tail-status', role: 'status' });
  readonly #pause: HTMLButtonElement;
  readonly #filter: HTMLInputElement;
  readonly #records: LiveRecord[] = [];
  #paused = false;
  /** The records shown while paused. */
  #frozen: LiveRecord[] | null = null;
  #newWhilePaused = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly timeZone: string | undefined,
    private readonly maxRows = 100,
  ) {
    this.#pause = button('Pause', () => this.#togglePause(), { class: 'small', 'aria-pressed': 'false', 'data-action': 'pause-tail' });
    this.#filter = h('input', { type: 'search', placeholder: 'Filter rows: URI, country, POP, status, user agent…', 'aria-label': 'Filter the live tail', class: 'tail-filter' });
    this.#filter.addEventListener('input', () => this.#render());
    this.element = h('div', { class: 'live-tail' }, [
      h('div', { class: 'tail-controls' }, [this.#pause, this.#filter, this.#status]),
      h('div', { class: 'table-wrap' }, [
        h('table', { 'data-table': 'live-tail' }, [
          h('caption', { class: 'visually-hidden' }, ['Sampled requests as they arrive, newest first']),
          h('thead', {}, [h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col', class: c.className === 'num' ? 'num' : undefined }, [c.label])))]),
          this.#tbody,
        ]),
      ]),
    ]);
    this.#render();
  }

  add(record: LiveRecord): void {
    this.#records.unshift(record);
    if (this.#records.length > MAX_KEPT) this.#records.length = MAX_KEPT;
    if (this.#paused) {
      this.#newWhilePaused++;
      this.#renderStatus(this.#visible().length);
      return;
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#render();
    }, FLUSH_MS);
  }

  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
  }

  #togglePause(): void {
    this.#paused = !this.#paused;
    this.#pause.textContent = this.#paused ? 'Resume' : 'Pause';
    this.#pause.setAttribute('aria-pressed', String(this.#paused));
    this.#frozen = this.#paused ? [...this.#records] : null;
    if (!this.#paused) this.#newWhilePaused = 0;
    this.#render();
  }

  #visible(): LiveRecord[] {
    const records = this.#frozen ?? this.#records;
    const needle = this.#filter.value.trim().toLowerCase();
    if (needle === '') return records;
    return records.filter((r) => COLUMNS.some((c) => c.text(r, this.timeZone).toLowerCase().includes(needle)));
  }

  #render(): void {
    const visible = this.#visible();
    this.#tbody.replaceChildren(
      ...visible.slice(0, this.maxRows).map((r) =>
        h(
          'tr',
          { 'data-request-id': r.edgeRequestId ?? undefined },
          COLUMNS.map((c) => {
            const text = c.text(r, this.timeZone);
            return h('td', { class: c.className, title: c.className === 'long' ? text : undefined }, [text]);
          }),
        ),
      ),
    );
    this.#renderStatus(visible.length);
  }

  #renderStatus(visible: number): void {
    const shown = Math.min(visible, this.maxRows);
    const paused = this.#paused ? ` Paused: ${this.#newWhilePaused} new record${this.#newWhilePaused === 1 ? '' : 's'} waiting.` : '';
    const kept = (this.#frozen ?? this.#records).length;
    this.#status.textContent = kept === 0 ? `Waiting for requests…${paused}` : `Showing ${shown} of ${kept} sampled records.${paused}`;
  }
}
