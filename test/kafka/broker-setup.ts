/**
 * Global setup of the Kafka tests: one real broker (official jars, KRaft, 127.0.0.1:46400) for all
 * of them, started before the first and stopped after the last. Without Java or Maven the tests are
 * skipped with the reason printed, except under CI=true, where that fails the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startKafkaBroker, stopKafkaBroker } from '../../infra/kafka/broker.js';
import { KafkaToolchainError } from '../../infra/kafka/kafka-libs.js';
import type { KafkaTestBroker } from './kafka-test-kit.js';

export const BROKER_PORT = 46400;
export const CONTROLLER_PORT = 46401;

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: KafkaTestBroker;
  }
}

function loud(message: string): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${message}\n${bar}\n\n`);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // A fixed folder: a broker left running by a test run that was killed is found and stopped.
  const dir = path.join(os.tmpdir(), `edgewatch-kafka-test-${BROKER_PORT}`);
  await stopKafkaBroker(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  try {
    const broker = await startKafkaBroker({
      dir,
      port: BROKER_PORT,
      controllerPort: CONTROLLER_PORT,
      heapMb: 512,
      log: (message) => void process.stderr.write(`kafka test broker: ${message}\n`),
    });
    process.stderr.write(`kafka test broker: ready in ${Date.now() - started} ms\n`);
    project.provide('kafka', { brokers: broker.brokers.join(','), dir, port: BROKER_PORT, controllerPort: CONTROLLER_PORT, skipReason: null });
    return async () => {
      await stopKafkaBroker(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    };
  } catch (err) {
    if (err instanceof KafkaToolchainError && process.env.CI !== 'true') {
      loud(`Kafka tests SKIPPED: ${err.message}\nInstall Java 17+ (and Maven, once, to fetch the Kafka jars) to run them. Under CI=true this fails the run.`);
      project.provide('kafka', { brokers: null, dir, port: BROKER_PORT, controllerPort: CONTROLLER_PORT, skipReason: err.message });
      return undefined;
    }
    throw err;
  }
}
