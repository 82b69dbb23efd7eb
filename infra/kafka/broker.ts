/**
 * A single-node Apache Kafka broker (KRaft, broker and controller in one JVM) on 127.0.0.1 for
 * development, tests and CI, run from the official jars (see kafka-libs.ts).
 *
 * A broker lives in one folder: server.properties, log4j2.properties, broker.json (its ports),
 * broker.pid, data/ (the formatted KRaft log dir) and logs/. Starting again in the same folder keeps
 * the data; a broker left running there by a process that died is stopped first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeKafka } from './api-versions-probe.js';
import { DEFAULT_KAFKA_VERSION, ensureKafkaLibs, requireJava } from './kafka-libs.js';

export interface KafkaBrokerOptions {
  /** The broker's folder (created when missing). */
  readonly dir: string;
  /** Client listener; default 9092. */
  readonly port?: number;
  /** KRaft controller listener; default port + 1. */
  readonly controllerPort?: number;
  readonly host?: string;
  readonly version?: string;
  /** Cache of the Kafka jars; default .cache/kafka of this repository. */
  readonly cacheDir?: string;
  /** JVM heap; default 512. */
  readonly heapMb?: number;
  /** How long to wait for the broker to serve requests; default 120 000. */
  readonly startTimeoutMs?: number;
  /** JVM options; default DEFAULT_JVM_OPTIONS. */
  readonly jvmOptions?: readonly string[];
  /** Extra or overriding server properties. */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  readonly log?: (message: string) => void;
}

export interface KafkaBroker {
  /** Bootstrap addresses for clients, e.g. ['127.0.0.1:9092']. */
  readonly brokers: readonly string[];
  readonly dir: string;
  /** The JVM's process id while it runs. */
  pid(): number | null;
  /** SIGTERM (controlled shutdown), SIGKILL if it has not exited within the grace period. */
  stop(): Promise<void>;
  /** Stops and starts again on the same folder and ports; data is kept. */
  restart(): Promise<void>;
}

interface BrokerPorts {
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
}

const STOP_GRACE_MS = 20_000;

/**
 * A development broker starts often and carries little load: the C1 compiler alone starts it two to
 * three times faster on a busy two-core machine, at a cost in peak throughput it does not need.
 */
export const DEFAULT_JVM_OPTIONS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

export function brokerFiles(dir: string) {
  return {
    properties: path.join(dir, 'server.properties'),
    log4j: path.join(dir, 'log4j2.properties'),
    ports: path.join(dir, 'broker.json'),
    pid: path.join(dir, 'broker.pid'),
    data: path.join(dir, 'data'),
    logs: path.join(dir, 'logs'),
    serverLog: path.join(dir, 'logs', 'server.log'),
    stdout: path.join(dir, 'logs', 'stdout.log'),
  };
}

function serverProperties(dir: string, ports: BrokerPorts, extra: Readonly<Record<string, string | number | boolean>>): string {
  const { host, port, controllerPort } = ports;
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': brokerFiles(dir).data,
    'num.partitions': 1,
    // One node: internal topics must not ask for three replicas, or consumer groups and
    // transactions never find a coordinator.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Fewer coordinator partitions than the default 50: the first group starts in a second, not ten.
    'offsets.topic.num.partitions': 4,
    // A group's first member does not wait 3 s for others: members join as they start.
    'group.initial.rebalance.delay.ms': 0,
    // edgewatch creates its topics with their settings; a typo must not create another one.
    'auto.create.topics.enable': false,
    ...extra,
  };
  return `${Object.entries(properties)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')}\n`;
}

function log4jProperties(dir: string): string {
  const files = brokerFiles(dir);
  return [
    'status = warn',
    'appender.file.type = RollingFile',
    'appender.file.name = file',
    `appender.file.fileName = ${files.serverLog}`,
    `appender.file.filePattern = ${files.serverLog}.%i`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'appender.file.policies.type = Policies',
    'appender.file.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.file.policies.size.size = 20MB',
    'appender.file.strategy.type = DefaultRolloverStrategy',
    'appender.file.strategy.max = 3',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    '',
  ].join('\n');
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (as `kafka-storage random-uuid`). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // A leading '-' would read as an option on the storage tool's command line.
    if (!id.startsWith('-')) return id;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True unless /proc shows that `pid` is now some other program (the pid was reused). */
function looksLikeKafka(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return process.platform !== 'linux' && isAlive(pid);
  }
}

function readPid(dir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(brokerFiles(dir).pid, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/**
 * Stops the broker whose pid file is in `dir`: SIGTERM, then SIGKILL after `graceMs`. Resolves
 * false when no broker was running there.
 */
export async function stopKafkaBroker(dir: string, graceMs = STOP_GRACE_MS, log?: (message: string) => void): Promise<boolean> {
  const pidFile = brokerFiles(dir).pid;
  const pid = readPid(dir);
  if (pid === null || !isAlive(pid) || !looksLikeKafka(pid)) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, graceMs))) {
    log?.(`Kafka broker ${pid} did not stop within ${graceMs} ms; killing it`);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  fs.rmSync(pidFile, { force: true });
  return true;
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function checkPorts(dir: string, ports: BrokerPorts): void {
  const files = brokerFiles(dir);
  if (fs.existsSync(path.join(files.data, 'meta.properties')) && fs.existsSync(files.ports)) {
    const previous = JSON.parse(fs.readFileSync(files.ports, 'utf8')) as BrokerPorts;
    // The controller's address is part of the formatted quorum state.
    if (previous.controllerPort !== ports.controllerPort || previous.host !== ports.host) {
      throw new Error(
        `the Kafka log dir in ${dir} was formatted for controller ${previous.host}:${previous.controllerPort}; ` +
          `start it with those settings or remove ${files.data} to start afresh`,
      );
    }
  }
  fs.writeFileSync(files.ports, `${JSON.stringify(ports)}\n`);
}

function formatLogDir(dir: string, libs: string): void {
  const files = brokerFiles(dir);
  if (fs.existsSync(path.join(files.data, 'meta.properties'))) return;
  const result = spawnSync(
    'java',
    ['-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${files.log4j}`, '-cp', path.join(libs, '*'), 'kafka.tools.StorageTool', 'format', '--standalone', '-t', newClusterId(), '-c', files.properties],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`formatting the Kafka log dir ${files.data} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

/** Starts a broker and resolves once it serves requests. */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const dir = path.resolve(options.dir);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9092;
  const ports: BrokerPorts = { host, port, controllerPort: options.controllerPort ?? port + 1 };
  const log = options.log;
  requireJava();
  const libs = ensureKafkaLibs({ version: options.version ?? DEFAULT_KAFKA_VERSION, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(log ? { log } : {}) });
  const files = brokerFiles(dir);
  let current: number | null = null;

  const launch = async (): Promise<void> => {
    if (await stopKafkaBroker(dir, STOP_GRACE_MS, log)) log?.(`stopped a Kafka broker left running in ${dir}`);
    fs.mkdirSync(files.logs, { recursive: true });
    checkPorts(dir, ports);
    fs.writeFileSync(files.properties, serverProperties(dir, ports, options.properties ?? {}));
    fs.writeFileSync(files.log4j, log4jProperties(dir));
    formatLogDir(dir, libs);

    const out = fs.openSync(files.stdout, 'a');
    const child = spawn(
      'java',
      [
        '-Xms128m',
        `-Xmx${options.heapMb ?? 512}m`,
        ...(options.jvmOptions ?? DEFAULT_JVM_OPTIONS),
        `-Dlog4j2.configurationFile=${files.log4j}`,
        '-cp',
        path.join(libs, '*'),
        'kafka.Kafka',
        files.properties,
      ],
      // Detached: the broker outlives a test runner that is killed; the pid file lets the next start stop it.
      { detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    if (child.pid === undefined) throw new Error('could not start java for the Kafka broker');
    const pid = child.pid;
    current = pid;
    fs.writeFileSync(files.pid, `${pid}\n`);
    const run: { exitCode: number | null } = { exitCode: null };
    child.once('exit', (code, signal) => {
      run.exitCode = code ?? (signal === null ? -1 : 128);
      if (current === pid) current = null;
    });
    child.unref();

    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    for (;;) {
      if (run.exitCode !== null) {
        throw new Error(`the Kafka broker exited (${run.exitCode}) while starting; ${files.serverLog} ends with:\n${tail(files.serverLog)}\n${tail(files.stdout, 10)}`);
      }
      if (await probeKafka(host, port, 1_000)) break;
      if (Date.now() > deadline) {
        await stopKafkaBroker(dir, 5_000, log);
        throw new Error(`the Kafka broker did not serve requests on ${host}:${port} in time; ${files.serverLog} ends with:\n${tail(files.serverLog)}`);
      }
      await sleep(200);
    }
    log?.(`Kafka broker ${pid} serves ${host}:${port} (controller ${ports.controllerPort}, folder ${dir})`);
  };

  const stop = async (): Promise<void> => {
    await stopKafkaBroker(dir, STOP_GRACE_MS, log);
    current = null;
  };

  await launch();
  return {
    brokers: [`${host}:${port}`],
    dir,
    pid: () => current,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
