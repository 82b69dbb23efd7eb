/**
 * The configuration editors: a distribution form and a real-time log config form. Each change is
 * first sent as a dry run; its diff (and the API's warnings) is shown, and only "Apply" sends it for
 * real. A 400 from the API puts its message next to the field it names, or above the form.
 */
import type { DiffEntry } from '../api/api-types.js';
import { ApiRequestError } from '../api/http-client.js';
import type { ControlPlaneApi, DistributionRead } from '../api/control-plane-api.js';
import type { LogConfigView } from '../api/api-types.js';
import { dataTable } from '../ui/data-table.js';
import { button, h, type Child } from '../ui/dom.js';
import { describeError } from '../ui/panel.js';
import {
  diffRows,
  distributionFieldOf,
  distributionFormOf,
  editedConfig,
  GEO_TYPE_OPTIONS,
  logConfigFieldOf,
  logConfigFormOf,
  logConfigUpdate,
  NEW_DISTRIBUTION_FORM,
  NEW_LOG_CONFIG_FORM,
  newDistributionConfig,
  newLogConfigBody,
  ORIGIN_KIND_OPTIONS,
  PRICE_CLASS_OPTIONS,
  VIEWER_PROTOCOL_OPTIONS,
  type DistributionForm,
  type LogConfigForm,
} from './config-forms.js';

interface ChangeAnswer {
  readonly diff: readonly DiffEntry[];
  readonly warnings: readonly { readonly message: string; readonly field: string | null }[];
}

type Control = HTMLInputElement | HTMLSelectElement;

/** A labelled control with the place for its error message. */
function field(name: string, label: string, control: Control, hint?: string): HTMLElement {
  control.setAttribute('name', name);
  control.id = `cfg-${name}`;
  const error = h('p', { class: 'field-error', 'data-field-error': name, role: 'alert' });
  return h('div', { class: 'form-field', 'data-field': name }, [h('label', { for: control.id }, [label]), control, hint === undefined ? null : h('p', { class: 'field-hint' }, [hint]), error]);
}

function textInput(value: string, attrs: Record<string, string | number> = {}): HTMLInputElement {
  const input = h('input', { type: 'text', ...attrs });
  input.value = value;
  return input;
}

function select(options: readonly string[], value: string): HTMLSelectElement {
  const element = h('select', {}, options.map((o) => h('option', { value: o }, [o])));
  element.value = value;
  return element;
}

function checkbox(checked: boolean): HTMLInputElement {
  const input = h('input', { type: 'checkbox' });
  input.checked = checked;
  return input;
}

/**
 * Runs the dry run → diff → apply cycle of one form. `send(dryRun)` makes the request; `fieldOf`
 * maps a 400's parameter to a form field; `onApplied` runs after a real change.
 */
class ChangeFlow {
  readonly element: HTMLElement;
  readonly #formError = h('p', { class: 'form-error', role: 'alert', 'data-form-error': '' });
  readonly #review = h('div', { class: 'change-review', 'data-change-review': '' });
  readonly #status = h('p', { class: 'change-status', role: 'status', 'data-change-status': '' });

  constructor(
    readonly form: HTMLFormElement,
    private readonly send: (dryRun: boolean) => Promise<ChangeAnswer>,
    private readonly fieldOf: (parameter: string | undefined) => string | null,
    private readonly onApplied: (message: string) => void,
  ) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#run(true);
    });
    this.element = h('div', { class: 'change-flow' }, [this.#formError, form, this.#review, this.#status]);
  }

  #clearErrors(): void {
    this.#formError.textContent = '';
    for (const p of this.form.querySelectorAll('[data-field-error]')) p.textContent = '';
    for (const f of this.form.querySelectorAll('.form-field.invalid')) f.classList.remove('invalid');
  }

  #showError(err: unknown): void {
    const parameter = err instanceof ApiRequestError ? err.parameter : undefined;
    const name = err instanceof ApiRequestError && err.status === 400 ? this.fieldOf(parameter) : null;
    const target = name === null ? null : this.form.querySelector(`[data-field-error="${name}"]`);
    if (target !== null) {
      target.textContent = err instanceof Error ? err.message : String(err);
      target.parentElement?.classList.add('invalid');
    } else {
      this.#formError.textContent = err instanceof ApiRequestError && err.status === 409 ? `${err.message} Reload it and make the change again.` : describeError(err);
    }
  }

  async #run(dryRun: boolean): Promise<void> {
    this.#clearErrors();
    this.#status.textContent = dryRun ? 'Checking the change…' : 'Applying…';
    if (dryRun) this.#review.replaceChildren();
    try {
      const answer = await this.send(dryRun);
      this.#status.textContent = '';
      if (dryRun) this.#showReview(answer);
      else {
        this.#review.replaceChildren();
        this.onApplied(answer.diff.length === 0 ? 'Nothing changed.' : `Applied ${answer.diff.length} change${answer.diff.length === 1 ? '' : 's'}.`);
      }
    } catch (err) {
      this.#status.textContent = '';
      this.#showError(err);
    }
  }

  #showReview(answer: ChangeAnswer): void {
    const children: Child[] = [h('h4', {}, ['What this change does (dry run: nothing applied yet)'])];
    if (answer.diff.length === 0) children.push(h('p', { class: 'panel-fact' }, ['No member changes.']));
    else {
      children.push(
        dataTable(
          diffRows(answer.diff),
          [
            { key: 'path', label: 'Member', value: (r) => r.path },
            { key: 'before', label: 'Before', value: (r) => r.before, long: true },
            { key: 'after', label: 'After', value: (r) => r.after, long: true },
          ],
          { caption: 'Changes of the dry run', sortKey: 'path', descending: false, id: 'config-diff' },
        ),
      );
    }
    if (answer.warnings.length > 0) children.push(h('ul', { class: 'change-warnings' }, answer.warnings.map((w) => h('li', {}, [w.field === null ? w.message : `${w.field}: ${w.message}`]))));
    children.push(
      h('div', { class: 'form-actions' }, [
        button('Apply', () => void this.#run(false), { 'data-action': 'apply-change', disabled: answer.diff.length === 0 ? true : undefined }),
        button('Cancel', () => this.#review.replaceChildren(), { class: 'link-button' }),
      ]),
    );
    this.#review.replaceChildren(...children.filter((c): c is HTMLElement => c instanceof HTMLElement));
  }
}

/** The distribution form: a new one (read null) or the one read with its ETag. */
export function distributionEditor(api: ControlPlaneApi, read: DistributionRead | null, onApplied: (message: string) => void): HTMLElement {
  const initial: DistributionForm = read === null ? NEW_DISTRIBUTION_FORM : distributionFormOf(read.distribution.config);
  const controls = {
    comment: textInput(initial.comment, { maxlength: 200, size: 40 }),
    enabled: checkbox(initial.enabled),
    aliases: textInput(initial.aliases, { size: 40 }),
    priceClass: select(PRICE_CLASS_OPTIONS, initial.priceClass),
    viewerProtocolPolicy: select(VIEWER_PROTOCOL_OPTIONS, initial.viewerProtocolPolicy),
    geoType: select(GEO_TYPE_OPTIONS, initial.geoType),
    geoCountries: textInput(initial.geoCountries, { size: 30 }),
    originDomain: textInput(initial.originDomain, { size: 40 }),
    originKind: select(ORIGIN_KIND_OPTIONS, initial.originKind),
  };
  if (read !== null) controls.originKind.disabled = true;
  const values = (): DistributionForm => ({
    comment: controls.comment.value,
    enabled: controls.enabled.checked,
    aliases: controls.aliases.value,
    priceClass: controls.priceClass.value as DistributionForm['priceClass'],
    viewerProtocolPolicy: controls.viewerProtocolPolicy.value as DistributionForm['viewerProtocolPolicy'],
    geoType: controls.geoType.value as DistributionForm['geoType'],
    geoCountries: controls.geoCountries.value,
    originDomain: controls.originDomain.value,
    originKind: controls.originKind.value as DistributionForm['originKind'],
  });
  const form = h('form', { class: 'config-form', 'data-form': 'distribution', novalidate: true }, [
    h('h3', {}, [read === null ? 'New distribution' : `Distribution ${read.distribution.id} (${read.distribution.domainName})`]),
    field('comment', 'Comment', controls.comment),
    field('enabled', 'Enabled', controls.enabled),
    field('aliases', 'Alternate domain names', controls.aliases, 'Comma-separated; each needs a certificate that covers it.'),
    field('originDomain', read === null ? 'Origin domain' : 'First origin’s domain', controls.originDomain),
    field('originKind', 'Origin kind', controls.originKind),
    field('viewerProtocolPolicy', 'Viewer protocol (default behavior)', controls.viewerProtocolPolicy),
    field('priceClass', 'Price class', controls.priceClass),
    field('geoType', 'Geo restriction', controls.geoType),
    field('geoCountries', 'Countries', controls.geoCountries, 'ISO 3166-1 alpha-2 codes, comma-separated.'),
    h('div', { class: 'form-actions' }, [h('button', { type: 'submit', 'data-action': 'review-change' }, ['Review changes'])]),
  ]);
  const flow = new ChangeFlow(
    form,
    (dryRun) => (read === null ? api.createDistribution(newDistributionConfig(values()), dryRun) : api.updateDistribution(read.distribution.id, read.etag, editedConfig(read.distribution.config, values()), dryRun)),
    distributionFieldOf,
    onApplied,
  );
  const warnings = read === null || read.warnings.length === 0 ? null : h('ul', { class: 'change-warnings' }, read.warnings.map((w) => h('li', {}, [w.message])));
  return h('div', { class: 'editor' }, [warnings, flow.element]);
}

/** The real-time log config form: a new one (config null) or an existing one (name, stream and role fixed). */
export function logConfigEditor(api: ControlPlaneApi, config: LogConfigView | null, onApplied: (message: string) => void): HTMLElement {
  const initial: LogConfigForm = config === null ? NEW_LOG_CONFIG_FORM : logConfigFormOf(config);
  const controls = {
    name: textInput(initial.name, { size: 30 }),
    samplingRate: textInput(initial.samplingRate, { size: 5, inputmode: 'numeric' }),
    fields: textInput(initial.fields, { size: 60 }),
    stream: textInput(initial.stream, { size: 50 }),
    role: textInput(initial.role, { size: 50 }),
  };
  if (config !== null) for (const c of [controls.name, controls.stream, controls.role]) c.readOnly = true;
  const values = (): LogConfigForm => ({ name: controls.name.value, samplingRate: controls.samplingRate.value, fields: controls.fields.value, stream: controls.stream.value, role: controls.role.value });
  const form = h('form', { class: 'config-form', 'data-form': 'log-config', novalidate: true }, [
    h('h3', {}, [config === null ? 'New real-time log config' : `Real-time log config ${config.name}`]),
    field('name', 'Name', controls.name),
    field('samplingRate', 'Sampling rate (%)', controls.samplingRate, 'Whole number 1–100: the share of requests logged.'),
    field('fields', 'Fields', controls.fields, 'CloudFront field names, comma-separated (timestamp, c-ip, sc-status, …).'),
    field('stream', 'Kinesis stream', controls.stream, config === null ? 'An existing stream’s ARN, or a name for a new stream.' : undefined),
    field('role', 'IAM role', controls.role, config === null ? 'An existing role’s ARN, or a name for a new role CloudFront can assume.' : undefined),
    h('div', { class: 'form-actions' }, [h('button', { type: 'submit', 'data-action': 'review-change' }, ['Review changes'])]),
  ]);
  const flow = new ChangeFlow(
    form,
    (dryRun) => (config === null ? api.createLogConfig(newLogConfigBody(values()), dryRun) : api.updateLogConfig(config.name, logConfigUpdate(config, values()), dryRun)),
    logConfigFieldOf,
    onApplied,
  );
  return h('div', { class: 'editor' }, [flow.element]);
}
