// kinesalite ships no types; this covers the part edgewatch uses.
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Directory for the LevelDB store; in memory when omitted. */
    path?: string;
    ssl?: boolean;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  }

  /** An http.Server that serves the Kinesis API; `close()` also closes the store. */
  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}
