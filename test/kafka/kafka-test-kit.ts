/**
 * Helpers of the tests on the real Kafka broker that test/kafka/broker-setup.ts starts: its address,
 * skipping with a printed reason when it could not start, restarting it, unique names, clients, and
 * `edgewatch` child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, inject } from 'vitest';
import { startKafkaBroker, stopKafkaBroker } from '../../infra/kafka/broker.js';
import type { KafkaClient } from '../../ingest/kafka/kafka-client.js';
import { createKafkajsClient } from '../../ingest/kafka/kafkajs-client.js';

export interface KafkaTestBroker {
  /** Bootstrap list (`host:port`), or null when the broker could not start (see skipReason). */
  readonly brokers: string | null;
  readonly dir: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly skipReason: string | null;
}

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function testBroker(): KafkaTestBroker {
  return inject('kafka');
}

/** The broker's bootstrap list; only call inside describeKafka. */
export function brokers(): string {
  const { brokers: list } = testBroker();
  if (list === null) throw new Error('no Kafka broker in this test run');
  return list;
}

/** `describe` that is skipped, saying why, when the run has no broker (never under CI=true: setup fails then). */
export function describeKafka(name: string, body: () => void): void {
  const { skipReason } = testBroker();
  if (skipReason !== null) {
    process.stderr.write(`SKIPPED "${name}": ${skipReason}\n`);
    describe.skip(`${name} (skipped: ${skipReason})`, body);
    return;
  }
  describe(name, body);
}

/** Stops the shared broker (SIGTERM, controlled shutdown) and starts it again on the same data. */
export async function restartBroker(downMs = 0): Promise<void> {
  const { dir, port, controllerPort } = testBroker();
  await stopKafkaBroker(dir);
  if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
  await startKafkaBroker({ dir, port, controllerPort, heapMb: 512 });
}

/** A topic, group or database name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export const quietLogger = pino({ level: process.env.EDGEWATCH_TEST_LOG_LEVEL ?? 'silent', base: undefined });

export function testKafkaClient(clientId = 'edgewatch-test'): KafkaClient {
  return createKafkajsClient({ brokers: brokers().split(','), clientId, logger: quietLogger });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface EdgewatchProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or 128 + signal number) once the process has exited. */
  readonly exited: Promise<number>;
}

/** Runs `edgewatch <command>` in a child process with exactly the given EDGEWATCH_* settings. */
export function spawnEdgewatch(command: string, env: Record<string, string>, args: readonly string[] = []): EdgewatchProcess {
  return spawnNode(command, [path.join(ROOT, 'bin/edgewatch.mjs'), command, ...args], env);
}

/** Runs a TypeScript file of this repository (a test helper) in a child process. */
export function spawnScript(file: string, env: Record<string, string>): EdgewatchProcess {
  return spawnNode(path.basename(file, '.ts'), [path.join(ROOT, 'bin/run-ts.mjs'), file], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env });
}

function spawnNode(command: string, args: readonly string[], env: Record<string, string>): EdgewatchProcess {
  // Never spawnSync: the servers these children talk to (kinesalite, the ClickHouse stand-in) often run in the test process.
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      // EDGEWATCH_TEST_OUTPUT_DIR keeps every child's output for a look after the run.
      const keep = process.env.EDGEWATCH_TEST_OUTPUT_DIR;
      if (keep !== undefined && keep !== '') {
        fs.mkdirSync(keep, { recursive: true });
        fs.writeFileSync(path.join(keep, `${command}-${child.pid ?? 'x'}.log`), output);
      }
      resolve(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 128));
    });
  });
  return { child, output: () => output, exited };
}
