/**
 * LiveHub observers: in-process consumers (the alert evaluator) that see every published record
 * whole, before filters and rates, and the live view's losses.
 */
import { describe, expect, it } from 'vitest';
import type { LiveEntry } from '../../api/live/live-entry.js';
import type { LiveLoss } from '../../api/live/live-counters.js';
import { liveRig, logLine } from './live-kit.js';

describe('live hub observers', () => {
  it('get every published batch, unfiltered and unthrottled, and make the tap work', () => {
    const rig = liveRig();
    expect(rig.hub.hasSubscribers()).toBe(false);
    const batches: (readonly LiveEntry[])[] = [];
    const observer = rig.hub.observe({ onEntries: (entries) => batches.push(entries) });
    expect(rig.hub.hasSubscribers()).toBe(true);
    expect(rig.hub.observerCount).toBe(1);
    expect(rig.hub.subscriberCount).toBe(0);

    rig.feed([logLine({ 'c-country': 'CN' }), logLine({ 'x-host-header': 'd222.cloudfront.net', 'sc-status': '503' })]);
    expect(batches.flat().map((e) => [e.derived.country, e.derived.distribution_id, e.measure.status5xx])).toEqual([
      ['CN', 'E111', false],
      ['US', 'E222', true],
    ]);

    observer.close();
    expect(rig.hub.hasSubscribers()).toBe(false);
    rig.feed([logLine()]);
    expect(batches.flat()).toHaveLength(2);
  });

  it('hear of what the live view dropped', () => {
    const rig = liveRig({ maxQueuedRecords: 1 });
    const losses: Partial<LiveLoss>[] = [];
    rig.hub.observe({ onEntries: () => undefined, onLoss: (loss) => losses.push(loss) });
    rig.feed([logLine(), logLine(), logLine()]);
    expect(losses.reduce((n, l) => n + (l.dropped ?? 0), 0)).toBe(2);
  });

  it('are removed when they throw, without disturbing subscribers, and told when the hub stops', () => {
    const rig = liveRig();
    const seconds: number[] = [];
    rig.hub.subscribe({ filters: { distributions: [] }, onSecond: (c) => seconds.push(c.sampledRequests) });
    const failing = rig.hub.observe({
      onEntries: () => {
        throw new Error('observer bug');
      },
    });
    let closed = 0;
    rig.hub.observe({ onEntries: () => undefined, onClose: () => closed++ });
    expect(failing.id).toBeGreaterThan(0);
    rig.feed([logLine()]);
    expect(rig.hub.observerCount).toBe(1);
    rig.clock.advance(1_000);
    rig.hub.tick();
    expect(seconds).toEqual([1]);
    rig.hub.stop();
    expect(closed).toBe(1);
    expect(rig.hub.observerCount).toBe(0);
    expect(() => rig.hub.observe({ onEntries: () => undefined })).toThrow(/stopped/);
  });
});
