/**
 * A serve replica's announcer of pushed live filters never throws when Kafka does not take its
 * messages: failures are counted and retried by the next announcement, including the withdrawal on
 * stop, which is bounded by a deadline. Runs on the real Kafka client with a closed publisher.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { liveFilterId, type PushedFilter } from '../../api/live/live-filter-pushdown.js';
import { LiveFilterAnnouncer } from '../../cli/live-filter-announcer.js';
import { createKafkajsClient } from '../../ingest/kafka/kafkajs-client.js';

const quiet = pino({ level: 'silent' });

describe('live filter announcer', () => {
  it('counts what Kafka does not take and still withdraws, within its deadline, on stop', async () => {
    const publisher = createKafkajsClient({ brokers: ['127.0.0.1:1'], clientId: 'edgewatch-test', logger: quiet }).publisher();
    await publisher.close();
    const filters = { distributions: [], status: [404] };
    let current: PushedFilter[] = [];
    const announcer = new LiveFilterAnnouncer({ publisher, topic: 'edgewatch-live-filters', replica: 'serve-1', filters: () => current, logger: quiet });
    // Nothing to announce yet: an idle replica sends nothing.
    announcer.changed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(announcer.stats()).toEqual({ sent: 0, errors: 0 });
    current = [{ id: liveFilterId(filters), filters, recordsPerSecond: 5 }];
    announcer.changed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(announcer.stats()).toEqual({ sent: 0, errors: 1 });
    // The withdrawal fails too: it is kept to send again, here on stop (bounded by the deadline).
    current = [];
    announcer.changed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(announcer.stats().errors).toBe(2);
    await announcer.stop(1_000);
    expect(announcer.stats().errors).toBe(3);
  });
});
