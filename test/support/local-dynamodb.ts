/**
 * DynamoDB for tests and benchmarks: dynalite in this process, in memory, on 127.0.0.1.
 */
import dynalite from 'dynalite';

export interface LocalDynamoDb {
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startLocalDynamoDb(port: number): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
