/**
 * The live stream (GET /api/v1/live): Server-Sent Events read with fetch, so the token travels in
 * the Authorization header (EventSource cannot send one, and a token in the URL would leak into
 * logs and history). Reconnects with backoff until closed.
 */
import type { LiveRecord, SecondCounters } from './api-types.js';
import { ApiRequestError, type HttpClient } from './http-client.js';
import { SseParser } from './sse-parser.js';
import { API_BASE } from './stats-api.js';

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'failed';

export interface LiveHandlers {
  readonly onCounters: (counters: SecondCounters) => void;
  readonly onRecord: (record: LiveRecord) => void;
  readonly onStatus: (status: LiveStatus, detail?: string) => void;
}

export interface LiveConnection {
  close(): void;
}

const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000] as const;

export function openLiveStream(http: HttpClient, params: Readonly<Record<string, string>>, handlers: LiveHandlers): LiveConnection {
  const controller = new AbortController();
  let failures = 0;

  const dispatch = (event: string, data: string): void => {
    if (event !== 'counters' && event !== 'record') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'counters') handlers.onCounters(parsed as SecondCounters);
    else handlers.onRecord(parsed as LiveRecord);
  };

  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      handlers.onStatus(failures === 0 ? 'connecting' : 'reconnecting');
      try {
        const response = await http.openStream(`${API_BASE}/live`, params, controller.signal);
        const body = response.body;
        if (body === null) throw new ApiRequestError(0, 'network', 'the live stream has no body');
        const reader = body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) {
            if (message.event === 'ready') {
              failures = 0;
              handlers.onStatus('open');
            }
            dispatch(message.event, message.data);
          }
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        if (err instanceof ApiRequestError && (err.status === 400 || err.status === 401 || err.status === 403)) {
          handlers.onStatus('failed', err.message);
          return;
        }
        handlers.onStatus('reconnecting', err instanceof Error ? err.message : String(err));
      }
      if (controller.signal.aborted) return;
      const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] ?? 10_000;
      failures++;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  void run();

  return {
    close() {
      controller.abort();
    },
  };
}
