/**
 * Sign-in with an API token. The token is checked against /api/v1/whoami before it is kept.
 */
import { ApiRequestError } from '../api/http-client.js';
import { h } from '../ui/dom.js';
import { looksLikeToken } from './session.js';

export interface LoginOptions {
  /** Why the user is asked again (an expired or refused token). */
  readonly reason?: string;
  /** Checks and keeps the token; rejects when it is refused. */
  readonly signIn: (token: string) => Promise<void>;
}

export function loginView(root: HTMLElement, options: LoginOptions): void {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  const problem = h('p', { class: 'form-problem', role: 'alert', 'data-login-problem': '' }, [options.reason ?? '']);
  const submit = h('button', { type: 'submit' }, ['Sign in']);
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title' }, [
    h('h1', { id: 'login-title' }, ['edgewatch']),
    h('p', {}, ['Real-time analytics for Amazon CloudFront.']),
    h('label', { for: 'token' }, ['API token']),
    input,
    h('p', { id: 'token-help', class: 'muted' }, [
      'A viewer or admin token. npm start prints the admin token the first time it runs and keeps it in the data directory (file admin-token). The token stays in this browser tab only.',
    ]),
    submit,
    problem,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!looksLikeToken(token)) {
      problem.textContent = 'That does not look like an edgewatch token (at least 16 letters, digits or - . _ ~ + /).';
      return;
    }
    submit.disabled = true;
    problem.textContent = 'Checking…';
    options.signIn(token).then(
      () => undefined,
      (err: unknown) => {
        submit.disabled = false;
        problem.textContent = err instanceof ApiRequestError && err.status === 401 ? 'That token was not accepted.' : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`;
        input.focus();
      },
    );
  });
  root.replaceChildren(h('main', { class: 'login-page', id: 'main' }, [form]));
  input.focus();
}
