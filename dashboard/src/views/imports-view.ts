/**
 * Imports: the imports the server runs (handed over by `edgewatch import`, or started with
 * POST /api/v1/imports), running ones first, then the recent finished ones, with their progress,
 * rate and an estimate of the time left. Asked again every 2 s while one runs; not once none runs
 * or the view is left (the shell's refresh and the Refresh button look again).
 */
import type { ImportJobStatus } from '../api/api-types.js';
import { loadImports } from '../api/imports-api.js';
import { ApiRequestError } from '../api/http-client.js';
import { formatClock, NONE } from '../format/format.js';
import { button, h } from '../ui/dom.js';
import { Panel } from '../ui/panel.js';
import { Poller } from '../ui/poller.js';
import { importRow, orderImports, runningCount, shortInput, type ImportRow } from './import-jobs.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid } from './view-kit.js';

export const IMPORTS_POLL_MS = 2_000;

interface Cell {
  readonly key: string;
  readonly label: string;
  /** What the column holds, when the label is short for it. */
  readonly title?: string;
  readonly numeric?: boolean;
  readonly content: (row: ImportRow) => readonly (HTMLElement | string)[];
}

const CELLS: readonly Cell[] = [
  { key: 'state', label: 'State', content: (r) => [h('span', { class: `import-state import-${r.state}` }, [r.stateLabel])] },
  { key: 'inputs', label: 'Inputs', content: (r) => [h('ul', { class: 'import-inputs' }, r.inputs.map((input) => h('li', { title: input }, [shortInput(input)])))] },
  { key: 'objects', label: 'Objects', title: 'Files or S3 objects done / found', numeric: true, content: (r) => [r.objects] },
  { key: 'lines', label: 'Lines', title: 'Lines stored', numeric: true, content: (r) => [r.lines] },
  { key: 'dead-letters', label: 'Dead letters', title: 'Lines that could not be read, kept with the reason', numeric: true, content: (r) => [r.deadLetters] },
  {
    key: 'bytes',
    label: 'Bytes',
    title: 'Bytes read / total',
    numeric: true,
    content: (r) => [r.bytes, ...(r.done === null ? [] : [h('progress', { max: 1000, value: Math.round(r.done * 1000), 'aria-label': `${Math.round(r.done * 100)} % of the bytes read` })])],
  },
  { key: 'rate', label: 'Rate', title: 'Since the import started', numeric: true, content: (r) => (r.linesRate === NONE ? [NONE] : [h('span', { 'data-rate': 'lines' }, [r.linesRate]), h('span', { 'data-rate': 'bytes' }, [r.bytesRate])]) },
  { key: 'time-left', label: 'Time left', title: 'Estimate, at the byte rate so far', numeric: true, content: (r) => [r.timeLeft] },
  { key: 'started', label: 'Started', numeric: true, content: (r) => [r.started] },
  { key: 'finished', label: 'Finished', numeric: true, content: (r) => [r.finished] },
];

/** Rows of the jobs table: one per job, and one more under a job with errors. */
function jobRows(row: ImportRow): HTMLTableRowElement[] {
  const main = h(
    'tr',
    { 'data-import-id': row.id, 'data-import-state': row.state },
    CELLS.map((cell) => h('td', { class: cell.numeric === true ? 'num' : undefined, 'data-col': cell.key }, cell.content(row))),
  );
  if (row.errors.length === 0) return [main];
  const errors = h('tr', { class: 'import-errors', 'data-import-errors': row.id }, [
    h('td', { colspan: CELLS.length }, [h('ul', {}, row.errors.map((e) => h('li', {}, [e])))]),
  ]);
  return [main, errors];
}

export function importsTable(jobs: readonly ImportJobStatus[], timeZone: string | undefined): HTMLElement {
  const rows = orderImports(jobs).flatMap((job) => jobRows(importRow(job, timeZone)));
  return h('div', { class: 'table-wrap imports-table', 'data-table': 'imports' }, [
    h('table', {}, [
      h('caption', { class: 'visually-hidden' }, ['Running and recent imports']),
      h('thead', {}, [h('tr', {}, CELLS.map((c) => h('th', { scope: 'col', class: c.numeric === true ? 'num' : undefined, title: c.title }, [c.label])))]),
      h('tbody', {}, rows),
    ]),
  ]);
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  const panel = new Panel('Imports', {
    wide: true,
    id: 'imports',
    note: 'Standard and archived real-time logs imported by this server (“edgewatch import” hands its job here while the server runs). Running imports first, then the most recent finished ones.',
  });
  root.replaceChildren(grid([panel.element]));
  if (!ctx.capabilities.imports) {
    panel.empty('This server runs no imports: “edgewatch start” runs them, and “edgewatch import” on its data dir hands them over.');
    return { refresh: () => undefined, dispose: () => undefined };
  }

  const status = h('p', { class: 'import-status', role: 'status', 'data-imports-status': 'idle' });
  const poller: Poller<readonly ImportJobStatus[]> = new Poller({
    intervalMs: IMPORTS_POLL_MS,
    signal: ctx.signal,
    fetch: (signal) => loadImports(ctx.http, signal),
    again: (jobs) => runningCount(jobs) > 0,
    onValue: (jobs) => {
      const running = runningCount(jobs);
      const when = formatClock(Date.now(), ctx.timeZone);
      status.dataset.importsStatus = running > 0 ? 'polling' : 'idle';
      status.textContent = running > 0 ? `Updated ${when}; updating every ${IMPORTS_POLL_MS / 1000} s while an import runs.` : `Updated ${when}; no import is running.`;
      if (jobs.length === 0) {
        panel.empty('No import has run since the server started. Run “edgewatch import <files or s3://bucket/prefix>” on this data dir, or POST /api/v1/imports with an admin token.');
        return;
      }
      panel.content([status, importsTable(jobs, ctx.timeZone)]);
    },
    onError: (err) => {
      if (err instanceof ApiRequestError && err.code === 'aborted') return;
      panel.error(err, () => poller.poll());
    },
  });
  panel.addTools([button('Refresh', () => poller.poll(), { class: 'small', 'data-action': 'refresh-imports' })]);
  poller.poll();
  return { refresh: () => poller.poll(), dispose: () => poller.stop() };
}

export const importsView: ViewDefinition = { name: 'imports', title: 'Imports', usesTimeRange: false, mount };
