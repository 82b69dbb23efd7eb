/**
 * Configuration (admin only): where distributions and real-time log configs are created and
 * changed. Kept apart from the read-only views; viewer tokens never see it in the navigation, and
 * a viewer who opens its link is told it needs an admin token.
 */
import { dataTable } from '../ui/data-table.js';
import { h } from '../ui/dom.js';
import { Panel, runPanel } from '../ui/panel.js';
import type { MountedView, ViewContext, ViewDefinition } from './view-context.js';
import { grid } from './view-kit.js';

/** A webhook as GET /api/v1/alerts/webhooks lists it (no secret, only the target's origin). */
interface WebhookRow {
  readonly name: string;
  readonly target: string;
  readonly format: string;
  readonly enabled: boolean;
}

function mount(root: HTMLElement, ctx: ViewContext): MountedView {
  if (ctx.role !== 'admin') {
    const denied = new Panel('Configuration', { wide: true, id: 'config-denied' });
    denied.empty('Configuration needs an admin token. Your token has the viewer role: it can read every dashboard, not change distributions or log configs.');
    root.replaceChildren(grid([denied.element]));
    return { refresh: () => undefined, dispose: () => undefined };
  }
  const distributions = new Panel('Distributions', { wide: true, id: 'config-distributions' });
  const logConfigs = new Panel('Real-time log configs', { wide: true, id: 'config-log-configs' });
  const unavailable = 'The control plane is not part of this server yet: distributions and real-time log configs will be created and changed here.';
  if (ctx.capabilities.controlPlane) {
    distributions.content([h('p', {}, ['This server offers the control plane API; its screens come with the next dashboard release. Use the API docs at /docs meanwhile.'])]);
    logConfigs.content([h('p', {}, ['See /docs for the log-config routes.'])]);
  } else {
    distributions.empty(unavailable);
    logConfigs.empty(unavailable);
  }
  const panels = [distributions.element, logConfigs.element];
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
