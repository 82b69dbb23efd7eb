/**
 * The Kafka client interface (kafka-client.ts) as implemented by kafkajs-client.ts, on the real broker:
 * topic creation, idempotent publishing with headers, consumer-group delivery in partition order,
 * commits whose metadata round-trips (the cut log relies on it), and pause/resume.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsumedMessage, KafkaAdmin, KafkaClient } from '../../ingest/kafka/kafka-client.js';
import { describeKafka, testKafkaClient, uniqueName, waitFor } from './kafka-test-kit.js';

describeKafka('kafkajs client on a real broker', () => {
  let client: KafkaClient;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    client = testKafkaClient();
    admin = await client.admin();
  });
  afterAll(async () => {
    await admin?.close();
  });

  it('stops a consumer whose group is not running (not started yet, or restarting after a crash)', async () => {
    const topic = uniqueName('client_stop');
    await admin.ensureTopic({ topic, partitions: 1, config: {} });
    const consumer = client.groupConsumer({
      groupId: uniqueName('client_stop_group'),
      topic,
      concurrentPartitions: 1,
      maxMessageBytes: 1024 * 1024,
      maxFetchWaitMs: 200,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
      onBatch: () => Promise.resolve(),
    });
    await expect(consumer.stop()).resolves.toBeUndefined();
  });

  it('creates a topic once, with its settings', async () => {
    const topic = uniqueName('client_topic');
    const spec = { topic, partitions: 3, config: { 'max.message.bytes': String(4 * 1024 * 1024) } };
    expect(await admin.ensureTopic(spec)).toBe('created');
    expect(await admin.ensureTopic(spec)).toBe('exists');
    expect(await admin.partitionCount(topic)).toBe(3);
  });

  it('delivers published messages per key in order, with headers; commits carry metadata', async () => {
    const topic = uniqueName('client_delivery');
    const groupId = uniqueName('client_group');
    await admin.ensureTopic({ topic, partitions: 2, config: { 'max.message.bytes': String(4 * 1024 * 1024) } });
    const publisher = client.publisher();
    for (let i = 0; i < 20; i++) {
      await publisher.send(topic, [{ key: `shard-${i % 3}`, value: Buffer.from(`payload ${i}`), headers: { 'edgewatch-n': String(i), 'edgewatch-text': 'é ✓' } }]);
    }
    // A message far above kafkajs' default fetch size still arrives whole.
    await publisher.send(topic, [{ key: 'big', value: Buffer.alloc(3 * 1024 * 1024, 0x61), headers: {} }]);

    const received: ConsumedMessage[] = [];
    const metadataSeen: (string | null)[] = [];
    const consumer = client.groupConsumer({
      groupId,
      topic,
      concurrentPartitions: 2,
      maxMessageBytes: 4 * 1024 * 1024,
      maxFetchWaitMs: 200,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
      onBatch: async (messages, context) => {
        for (const message of messages) {
          received.push(message);
          const next = (BigInt(message.offset) + 1n).toString();
          await context.commit(next, `cut:${message.offset}`);
          metadataSeen.push((await context.committed()).metadata);
          context.markTaken(message.offset);
        }
      },
    });
    await consumer.start();
    try {
      await waitFor('all messages', () => (received.length >= 21 ? true : undefined), 60_000);
    } finally {
      await consumer.stop();
    }
    const small = received.filter((m) => m.key?.toString() !== 'big');
    for (const shard of ['shard-0', 'shard-1', 'shard-2']) {
      const numbers = small.filter((m) => m.key?.toString() === shard).map((m) => Number(m.headers['edgewatch-n']));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    expect(small.map((m) => Number(m.headers['edgewatch-n'])).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(small[0]?.headers['edgewatch-text']).toBe('é ✓');
    expect(received.find((m) => m.key?.toString() === 'big')?.value?.length).toBe(3 * 1024 * 1024);
    expect(metadataSeen.every((m) => m?.startsWith('cut:'))).toBe(true);

    const committed = await admin.committedOffsets(groupId, topic);
    const ends = await admin.endOffsets(topic);
    expect(committed.some((c) => c.offset !== null)).toBe(true);
    for (const { partition, offset, metadata } of committed) {
      if (ends.get(partition) === '0') {
        expect(offset).toBeNull();
        continue;
      }
      expect(offset).toBe(ends.get(partition));
      expect(metadata).toBe(`cut:${BigInt(offset!) - 1n}`);
    }
    await publisher.close();
  });

  it('stops delivering while paused and continues after resume', async () => {
    const topic = uniqueName('client_pause');
    await admin.ensureTopic({ topic, partitions: 1 });
    const publisher = client.publisher();
    let received = 0;
    const consumer = client.groupConsumer({
      groupId: uniqueName('client_pause_group'),
      topic,
      concurrentPartitions: 1,
      maxMessageBytes: 1024 * 1024,
      maxFetchWaitMs: 100,
      minFetchBytes: 1,
      sessionTimeoutMs: 10_000,
      onBatch: async (messages, context) => {
        for (const message of messages) {
          received++;
          await context.commit((BigInt(message.offset) + 1n).toString(), null);
          context.markTaken(message.offset);
        }
      },
    });
    await consumer.start();
    try {
      await publisher.send(topic, [{ key: 'k', value: Buffer.from('one'), headers: {} }]);
      await waitFor('the first message', () => (received === 1 ? true : undefined));
      expect(consumer.assignment()).toEqual([0]);
      consumer.pause();
      await publisher.send(topic, [{ key: 'k', value: Buffer.from('two'), headers: {} }]);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(received).toBe(1);
      consumer.resume();
      await waitFor('the second message', () => (received === 2 ? true : undefined));
    } finally {
      await consumer.stop();
      await publisher.close();
    }
  });
});
