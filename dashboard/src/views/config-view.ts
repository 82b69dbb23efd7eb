/**
 * Configuration (admin only): distributions and real-time log configs are listed, created and
 * changed here (each change shown as a dry-run diff before it is applied), next to the alert
 * webhooks. Kept apart from the read-only views; viewer tokens never see it in the navigation, and
 * a viewer who opens its link is told it needs an admin token.
 */
import type { LogConfigView } from '../api/api-types.js';
import { ControlPlaneApi, type DistributionList, type LogConfigList } from '../api/control-plane-api.js';
import { dataTable } from '../ui/data-table.js';
import { button, h } from '../ui/dom.js';
import { Panel, runPanel } from '../ui/panel.js';
import { distributionEditor, logConfigEditor } from './config-editors.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid } from './view-kit.js';

/** A webhook as GET /api/v1/alerts/webhooks lists it (no secret, only the target's origin). */
interface WebhookRow {
  readonly name: string;
  readonly target: string;
  readonly format: string;
  readonly enabled: boolean;
}

/** A small table whose rows end with an Edit button (dataTable cells are text only). */
function editableTable<T>(rows: readonly T[], columns: readonly { readonly label: string; readonly value: (row: T) => string }[], edit: (row: T) => void, id: string, keyOf: (row: T) => string): HTMLElement {
  return h('div', { class: 'table-wrap', 'data-table': id }, [
    h('table', {}, [
      h('thead', {}, [h('tr', {}, [...columns.map((c) => h('th', { scope: 'col' }, [c.label])), h('th', { scope: 'col' }, [h('span', { class: 'visually-hidden' }, ['Actions'])])])]),
      h(
        'tbody',
        {},
        rows.map((row) => h('tr', { 'data-key': keyOf(row) }, [...columns.map((c) => h('td', {}, [c.value(row)])), h('td', {}, [button('Edit', () => edit(row), { class: 'small', 'data-action': 'edit' })])])),
      ),
    ]),
  ]);
}

function controlPlaneSections(ctx: ViewContext): HTMLElement[] {
  const api = new ControlPlaneApi(ctx.http);
  const distributions = new Panel('Distributions', { wide: true, id: 'config-distributions' });
  const distributionEdit = new Panel('Distribution', { wide: true, id: 'config-distribution-editor', note: 'Review a change (dry run) before applying it.' });
  const logConfigs = new Panel('Real-time log configs', { wide: true, id: 'config-log-configs' });
  const logConfigEdit = new Panel('Real-time log config', { wide: true, id: 'config-log-config-editor', note: 'Review a change (dry run) before applying it.' });
  distributionEdit.empty('Choose a distribution to change, or create one.');
  logConfigEdit.empty('Choose a log config to change, or create one.');

  const applied = (panel: Panel, reload: () => void) => (message: string) => {
    panel.content([h('p', { class: 'panel-fact', role: 'status', 'data-change-applied': '' }, [message])]);
    reload();
  };

  const loadDistributions = (): void =>
    void runPanel(distributions, ctx.signal, async () => {
      const list: DistributionList = await api.distributions(ctx.signal);
      const create = button('New distribution', () => distributionEdit.content([distributionEditor(api, null, applied(distributionEdit, loadDistributions))]), { 'data-action': 'new-distribution' });
      if (list.distributions.length === 0) return [h('p', { class: 'panel-fact' }, [`No distribution yet (provider: ${list.provider}).`]), create];
      return [
        editableTable(
          list.distributions,
          [
            { label: 'ID', value: (d) => d.id },
            { label: 'Domain', value: (d) => d.domainName },
            { label: 'Status', value: (d) => d.status },
            { label: 'On', value: (d) => (d.enabled ? 'yes' : 'no') },
            { label: 'Comment', value: (d) => d.comment },
            { label: 'Aliases', value: (d) => d.aliases.join(', ') },
            { label: 'Geo restriction', value: (d) => (d.geoRestriction.type === 'none' ? 'none' : `${d.geoRestriction.type}: ${d.geoRestriction.countries.join(', ')}`) },
            { label: 'Log configs', value: (d) => String(d.realtimeLogConfigArns.length) },
          ],
          (d) =>
            void runPanel(distributionEdit, ctx.signal, async () => distributionEditor(api, await api.distribution(d.id, ctx.signal), applied(distributionEdit, loadDistributions))),
          'config-distributions',
          (d) => d.id,
        ),
        h('p', { class: 'panel-fact' }, [`Provider: ${list.provider}. `, create]),
      ];
    });

  const loadLogConfigs = (): void =>
    void runPanel(logConfigs, ctx.signal, async () => {
      const list: LogConfigList = await api.logConfigs(ctx.signal);
      const create = button('New log config', () => logConfigEdit.content([logConfigEditor(api, null, applied(logConfigEdit, loadLogConfigs))]), { 'data-action': 'new-log-config' });
      if (list.configs.length === 0) return [h('p', { class: 'panel-fact' }, ['No real-time log config yet.']), create];
      return [
        editableTable<LogConfigView>(
          list.configs,
          [
            { label: 'Name', value: (c) => c.name },
            { label: 'Sampling', value: (c) => `${c.samplingRate} %` },
            { label: 'Fields', value: (c) => String(c.fields.length) },
            { label: 'Stream', value: (c) => c.streamArn },
            { label: 'Attached to', value: (c) => c.attachedTo.map((a) => `${a.distributionId} ${a.pathPattern}`).join(', ') },
          ],
          (c) => logConfigEdit.content([logConfigEditor(api, c, applied(logConfigEdit, loadLogConfigs))]),
          'config-log-configs',
          (c) => c.name,
        ),
        h('p', { class: 'panel-fact' }, [create]),
      ];
    });

  loadDistributions();
  loadLogConfigs();
  return [distributions.element, distributionEdit.element, logConfigs.element, logConfigEdit.element];
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  if (ctx.role !== 'admin') {
    const denied = new Panel('Configuration', { wide: true, id: 'config-denied' });
    denied.empty('Configuration needs an admin token. Your token has the viewer role: it can read every dashboard, not change distributions or log configs.');
    root.replaceChildren(grid([denied.element]));
    return { refresh: () => undefined, dispose: () => undefined };
  }
  const panels: HTMLElement[] = [];
  if (ctx.capabilities.controlPlane) panels.push(...controlPlaneSections(ctx));
  else {
    const unavailable = new Panel('Distributions and real-time log configs', { wide: true, id: 'config-distributions' });
    unavailable.empty('This server has no control plane: distributions and real-time log configs are created and changed here when it has one.');
    panels.push(unavailable.element);
  }
  if (ctx.capabilities.alerts) {
    const webhooks = new Panel('Alert webhooks', { wide: true, id: 'config-webhooks', note: 'Where alert notifications go. Create and change them through the API (/docs) with an admin token.' });
    panels.push(webhooks.element);
    void runPanel(webhooks, ctx.signal, async () => {
      const { webhooks: rows } = (await ctx.stats.getDocument('/alerts/webhooks', {}, ctx.signal)) as { readonly webhooks: readonly WebhookRow[] };
      if (rows.length === 0) return { empty: 'No webhook is configured: alerts show in the dashboard only.' };
      return dataTable(
        rows,
        [
          { key: 'name', label: 'Webhook', value: (w) => w.name },
          { key: 'target', label: 'Target', value: (w) => w.target },
          { key: 'format', label: 'Format', value: (w) => w.format },
          { key: 'enabled', label: 'On', value: (w) => (w.enabled ? 'yes' : 'no') },
        ],
        { caption: 'Alert webhooks', sortKey: 'name', descending: false, id: 'config-webhooks' },
      );
    });
  }
  root.replaceChildren(h('div', { class: 'admin-zone', 'aria-label': 'Admin configuration' }, [h('p', { class: 'admin-banner' }, ['Admin area: changes here affect live CloudFront configuration and alert notifications.']), grid(panels)]));
  return { refresh: () => undefined, dispose: () => undefined };
}

export const configView: ViewDefinition = { name: 'config', title: 'Configuration', usesTimeRange: false, adminOnly: true, mount };
