/**
 * What `edgewatch start` tells the operator about a generated admin token. Written to the terminal
 * (never to the structured log); the token itself only on the start that created it, and only when
 * the output is a terminal rather than a file or a log collector.
 */
import type { AdminTokenFile } from '../api/auth/admin-token-file.js';

export function adminTokenNotice(generated: AdminTokenFile | null, outputIsTerminal: boolean): string {
  if (generated === null) return '';
  const lines: string[] = [];
  if (generated.created && outputIsTerminal) {
    lines.push(
      `API admin token (shown this once; kept in ${generated.file}, mode 0600):`,
      `  ${generated.token}`,
      'Send it as the header "Authorization: Bearer <token>"; set EDGEWATCH_ADMIN_TOKEN to choose your own.',
    );
  } else if (generated.created) {
    lines.push(`A new API admin token is in ${generated.file} (mode 0600); it is not printed because the output is not a terminal.`);
  } else {
    lines.push(`API admin token: in ${generated.file}.`);
  }
  if (generated.modeFixed) lines.push(`${generated.file} was readable by other users: its mode is now 0600; consider replacing the token.`);
  return `${lines.join('\n')}\n`;
}
