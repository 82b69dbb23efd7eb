/**
 * The registries a command-line tool (parse, replay) reads the stream's log config and the
 * distributions from, chosen as the roles choose them: the ClickHouse server's tables when
 * EDGEWATCH_CLICKHOUSE_URL is set, files under the data dir otherwise. In embedded mode no engine is
 * opened, so the tools run beside `npm start` on the same data dir. These tools only read, so they
 * never migrate: a server without the registry tables is an error that says how to migrate it.
 */
import { openRegistries, type Registries } from '../processor/registry/open-registries.js';
import { classifyError, clickHouseCodeOf } from '../processor/storage/errors.js';
import { clickHouseFromConfig } from './clickhouse-from-config.js';
import type { Config } from './config.js';

// ClickHouse error codes (src/Common/ErrorCodes.cpp): the database or a table the migrations create is missing.
const UNKNOWN_TABLE = 60;
const UNKNOWN_DATABASE = 81;

export interface OpenedRegistries extends Registries {
  /** Closes the ClickHouse client, when one was opened. */
  close(): Promise<void>;
}

/** The registries cannot be read; `exitCode` 2 for a server to fix (migrate), 1 for one that does not answer. */
export class RegistriesUnavailableError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RegistriesUnavailableError';
  }
}

export async function openRegistriesFromConfig(config: Config): Promise<OpenedRegistries> {
  const { url, database } = config.clickhouse;
  if (url === undefined) return { ...(await openRegistries(config.dataDir, null)), close: () => Promise.resolve() };
  const clickhouse = clickHouseFromConfig(config);
  try {
    const registries = await openRegistries(config.dataDir, clickhouse);
    return { ...registries, close: () => clickhouse.close() };
  } catch (err) {
    await clickhouse.close();
    const code = clickHouseCodeOf(err);
    const server = displayUrl(url);
    if (code === UNKNOWN_TABLE || code === UNKNOWN_DATABASE) {
      throw new RegistriesUnavailableError(
        `the ClickHouse server at ${server} has no registry tables in database ${database} (ClickHouse error ${code}): its schema is not migrated. ` +
          `Start 'edgewatch process' or 'edgewatch serve' against it once (they run the migrations), or apply the DDL that ` +
          `'edgewatch schema' prints, then run this command again.`,
        2,
        { cause: err },
      );
    }
    if (code === undefined && classifyError(err) === 'retriable') {
      throw new RegistriesUnavailableError(
        `no ClickHouse server answers at ${server} (${err instanceof Error ? err.message : String(err)}): check EDGEWATCH_CLICKHOUSE_URL, or unset it to use the registry files under the data dir.`,
        1,
        { cause: err },
      );
    }
    throw new Error(`cannot read the registries from the ClickHouse server at ${server}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The server's URL without credentials, for messages. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(EDGEWATCH_CLICKHOUSE_URL)';
  }
}
