/** Viewer protocol facts: normalised HTTP version and the WebSocket flag. */

const HTTP_VERSIONS: ReadonlyMap<string, string> = new Map([
  ['HTTP/0.9', '0.9'],
  ['HTTP/1.0', '1.0'],
  ['HTTP/1.1', '1.1'],
  ['HTTP/2.0', '2'],
  ['HTTP/2', '2'],
  ['HTTP/3.0', '3'],
  ['HTTP/3', '3'],
]);

/** `HTTP/2.0` → '2', `HTTP/1.1` → '1.1'; unknown values as written; '' when absent. */
export function httpVersion(protocolVersion: string | null): string {
  if (protocolVersion === null) return '';
  return HTTP_VERSIONS.get(protocolVersion) ?? HTTP_VERSIONS.get(protocolVersion.toUpperCase()) ?? protocolVersion;
}

/** True for `cs-protocol` `ws` / `wss`. */
export function isWebSocketProtocol(protocol: string | null): boolean {
  if (protocol === null) return false;
  if (protocol === 'ws' || protocol === 'wss') return true;
  if (protocol.length !== 2 && protocol.length !== 3) return false;
  const lower = protocol.toLowerCase();
  return lower === 'ws' || lower === 'wss';
}
