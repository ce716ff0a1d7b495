import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * Tells instances that the outbox grew. A notification carries only the sequence number: the
 * outbox is the truth, so a lost notification delays an update but never loses it.
 */
export interface Bus {
  publish(seq: bigint): void;
  /** Called with each sequence announced, by this instance or another. */
  onNotify(listener: (seq: bigint) => void): void;
  /** Called when the bus reconnects after a gap, when notifications may have been missed. */
  onResume(listener: () => void): void;
  close(): Promise<void>;
  readonly kind: 'in-process' | 'redis';
  /** Whether notifications flow now (in process: always). */
  readonly connected: boolean;
}

export function createLocalBus(): Bus {
  const emitter = new EventEmitter();
  return {
    kind: 'in-process',
    connected: true,
    publish: (seq) => emitter.emit('notify', seq),
    onNotify: (listener) => void emitter.on('notify', listener),
    onResume: () => {},
    close: async () => void emitter.removeAllListeners(),
  };
}

/** Redis pub/sub on `${prefix}outbox`; instances sharing a database must share the prefix. */
export async function createRedisBus(url: string, prefix: string, logger: Logger): Promise<Bus> {
  const channel = `${prefix}outbox`;
  const options = { maxRetriesPerRequest: null, retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000), lazyConnect: true };
  const publisher = new Redis(url, options);
  const subscriber = new Redis(url, options);
  const notify = new Set<(seq: bigint) => void>();
  const resume = new Set<() => void>();
  let readyOnce = false;
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', (error: Error) => logger.warn('redis error', { client: name, error: error.message }));
  }
  subscriber.on('message', (_channel: string, message: string) => {
    if (/^\d+$/.test(message)) for (const listener of notify) listener(BigInt(message));
  });
  subscriber.on('ready', () => {
    // ioredis resubscribes on reconnect; anything published meanwhile is read from the outbox.
    if (readyOnce) {
      logger.info('redis reconnected; catching up from the outbox');
      for (const listener of resume) listener();
    }
    readyOnce = true;
  });
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`REDIS_URL: cannot reach ${url.replace(/\/\/[^@]*@/, '//***@')} (${(error as Error).message})`);
  }
  return {
    kind: 'redis',
    get connected() {
      return subscriber.status === 'ready' && publisher.status === 'ready';
    },
    publish: (seq) => void publisher.publish(channel, String(seq)).catch((error: Error) => logger.warn('redis publish failed', { error: error.message })),
    onNotify: (listener) => void notify.add(listener),
    onResume: (listener) => void resume.add(listener),
    close: async () => {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
