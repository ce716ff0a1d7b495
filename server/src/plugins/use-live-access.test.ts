import { Repeater } from '@repeaterjs/repeater';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { TokenWatch } from '../auth/token-watch.ts';
import type { TokenEnd } from '../auth/tokens.ts';
import { untilTokenEnds } from './use-live-access.ts';

/** A watch whose tokens end when the test says so. */
function manualWatch() {
  const watchers = new Map<string, Set<(why: TokenEnd) => void>>();
  const watch: TokenWatch = {
    watch(id, end) {
      if (!watchers.has(id)) watchers.set(id, new Set());
      watchers.get(id)!.add(end);
      return () => watchers.get(id)?.delete(end);
    },
    close() {},
  };
  return { watch, end: (id: string, why: TokenEnd) => {
      for (const end of [...(watchers.get(id) ?? [])]) end(why);
    }, watching: (id: string) => watchers.get(id)?.size ?? 0 };
}

/** A source that yields what it is given and records whether it was stopped. */
function source() {
  let push!: (value: ExecutionResult) => Promise<unknown>;
  let stopped = false;
  const repeater = new Repeater<ExecutionResult>(async (p, stop) => {
    push = p;
    await stop;
    stopped = true;
  });
  return { repeater, push: (value: ExecutionResult) => push(value), stopped: () => stopped };
}

describe('untilTokenEnds', () => {
  it('passes results through, then ends with one UNAUTHENTICATED result when the token is revoked', async () => {
    const { watch, end, watching } = manualWatch();
    const feed = source();
    const stream = untilTokenEnds(feed.repeater, 't1', watch);
    const first = stream.next();
    await Promise.resolve();
    void feed.push({ data: { n: 1 } });
    expect(await first).toEqual({ done: false, value: { data: { n: 1 } } });
    const pending = stream.next();
    end('t1', 'revoked');
    const last = await pending;
    expect((last.value as ExecutionResult).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((last.value as ExecutionResult).errors?.[0]?.message).toMatch(/revoked/);
    expect((await stream.next()).done).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(feed.stopped()).toBe(true);
    expect(watching('t1')).toBe(0);
  });

  it('stops the source and the watch at once when the consumer leaves while waiting', async () => {
    const { watch, watching } = manualWatch();
    const feed = source();
    const stream = untilTokenEnds(feed.repeater, 't2', watch);
    const waiting = stream.next();
    await Promise.resolve();
    expect(watching('t2')).toBe(1);
    await stream.return();
    expect((await waiting).done).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(feed.stopped()).toBe(true);
    expect(watching('t2')).toBe(0);
  });
});
