// dynalite ships no types; this covers the part the tests and benchmarks use.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** Directory for the LevelDB store; in memory when omitted. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }

  /** An http.Server that serves the DynamoDB API. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
