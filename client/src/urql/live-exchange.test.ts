import { Client, type OperationResult } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { graphql } from '../graphql/graphql.ts';
import { liveExchange } from './live-exchange.ts';

const Sub = graphql(`
  subscription Probe {
    stockLevels {
      asOfSeq
    }
  }
`);

describe('liveExchange', () => {
  it('sends subscriptions over the WebSocket client and unsubscribes on teardown', async () => {
    const sent: { query: string }[] = [];
    let disposed = 0;
    let sink: { next(value: unknown): void } | null = null;
    const ws = {
      subscribe: (payload: { query: string }, s: { next(value: unknown): void }) => {
        sent.push(payload);
        sink = s;
        return () => void disposed++;
      },
    };
    const client = new Client({ url: '/graphql', exchanges: [liveExchange(ws as never)] });
    const results: OperationResult[] = [];
    const { unsubscribe } = client.subscription(Sub, {}).subscribe((r) => results.push(r));
    await new Promise((resolve) => setTimeout(resolve, 0)); // urql dispatches on the next tick
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query).toContain('stockLevels');
    sink!.next({ data: { stockLevels: { asOfSeq: '7' } } });
    expect(results.at(-1)?.data).toEqual({ stockLevels: { asOfSeq: '7' } });
    unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(disposed).toBe(1);
  });
});
