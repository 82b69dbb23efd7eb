/**
 * Is a Kafka broker serving requests at host:port? Sends one ApiVersions (v0) request over TCP and
 * checks that the answer carries no error. Independent of any Kafka client library, so the broker
 * script stays usable whatever client the product uses.
 */
import net from 'node:net';

const API_VERSIONS_KEY = 18;
const CLIENT_ID = 'edgewatch-probe';

function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let at = body.writeInt16BE(API_VERSIONS_KEY, 0);
  at = body.writeInt16BE(0, at);
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(clientId.length, at);
  clientId.copy(body, at);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Resolves true when the broker answered ApiVersions without error within `timeoutMs`, false otherwise. */
export function probeKafka(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  const correlationId = 0x5eed;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(apiVersionsRequest(correlationId)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // size (4) + correlation id (4) + error code (2) is all this needs.
      if (received.length < 10) return;
      done(received.readInt32BE(4) === correlationId && received.readInt16BE(8) === 0);
    });
    socket.on('end', () => done(false));
  });
}
