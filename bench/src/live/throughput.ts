// Delivered messages/s at many WebSocket subscribers: a burst of reports through Fangkong, and the
// same number of same-sized messages broadcast by a bare `ws` server to the same client code.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { HeapReading } from './inspector.ts';
import { currentCursor, eventsOperation, warmUp } from './latency.ts';
import type { BroadcastCommand } from './raw-broadcast.ts';
import { reportBurst, type Reporter } from './reports.ts';
import { openPool } from './subscribers.ts';

export interface Throughput {
  messages: number;
  seconds: number;
  perSecond: number;
}

export interface OursThroughput extends Throughput {
  /** When the last mutation of the burst was answered, s after the first was sent. */
  committedSeconds: number;
  /** The same burst with no subscriber connected: how long the writes alone take. */
  withoutSubscribersSeconds: number;
  /** One real `next` message as sent to a subscriber, byte for byte. */
  sample: string;
  problems: string[];
  /**
   * The server's heap after a forced GC: subscribers connected and warm (before the burst), every
   * message delivered with the subscribers still connected, and once they have left.
   */
  heap?: { before: HeapReading; delivered: HeapReading; left: HeapReading };
}

export async function oursThroughput(
  graphqlUrl: string,
  reporter: Reporter,
  subscribers: number,
  reports: number,
  concurrency: number,
  timeoutMs: number,
  readHeap?: () => Promise<HeapReading>,
): Promise<OursThroughput> {
  const quietStart = performance.now();
  await reportBurst(reporter, reports, concurrency);
  const withoutSubscribersSeconds = (performance.now() - quietStart) / 1000;
  const cursor = await currentCursor(graphqlUrl, reporter);
  const pool = await openPool({ transport: 'ws', graphqlUrl, size: subscribers, operation: eventsOperation(cursor), token: reporter.token, record: false });
  let result: OursThroughput;
  let before: HeapReading | undefined;
  let delivered: HeapReading | undefined;
  try {
    await warmUp(pool, reporter, 2, timeoutMs);
    before = await readHeap?.();
    const target = pool.delivered + reports * subscribers;
    const startedAt = performance.now();
    await reportBurst(reporter, reports, concurrency);
    const committedAt = performance.now();
    await pool.untilDelivered(target, timeoutMs);
    const seconds = (pool.lastDeliveryAt - startedAt) / 1000;
    if (!pool.sample) throw new Error('no message captured');
    delivered = await readHeap?.();
    result = {
      messages: reports * subscribers,
      seconds,
      perSecond: (reports * subscribers) / seconds,
      committedSeconds: (committedAt - startedAt) / 1000,
      withoutSubscribersSeconds,
      sample: pool.sample,
      problems: [...pool.problems],
    };
  } finally {
    await pool.close();
  }
  if (readHeap && before && delivered) {
    await sleep(1000);
    result.heap = { before, delivered, left: await readHeap() };
  }
  return result;
}

/** `count` copies of `message` to each of `subscribers` clients of the raw broadcaster at `url`. */
export async function rawThroughput(url: string, message: string, subscribers: number, count: number, timeoutMs: number): Promise<Throughput> {
  const pool = await openPool({ transport: 'ws', graphqlUrl: `${url.replace(/^ws/, 'http')}/graphql`, size: subscribers, operation: eventsOperation(), record: false });
  const control = new WebSocket(`${url}/control`, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      control.once('open', () => resolve());
      control.once('error', reject);
    });
    const answered = new Promise<{ sent?: number; error?: string }>((resolve) => control.once('message', (raw: Buffer) => resolve(JSON.parse(raw.toString()))));
    const command: BroadcastCommand = { message, count, subscribers };
    const startedAt = performance.now();
    control.send(JSON.stringify(command));
    const failed = answered.then((answer) => {
      if (answer.error) throw new Error(`raw broadcaster: ${answer.error}`);
      return new Promise<never>(() => {});
    });
    await Promise.race([pool.untilDelivered(count * subscribers, timeoutMs), failed]);
    const seconds = (pool.lastDeliveryAt - startedAt) / 1000;
    return { messages: count * subscribers, seconds, perSecond: (count * subscribers) / seconds };
  } finally {
    control.close();
    await pool.close();
  }
}
