import { Repeater } from '@repeaterjs/repeater';
import { type ExecutionArgs, type ExecutionResult, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharingKey, useSharedExecution } from './shared-execution.ts';

/** One shared source: every subscriber receives the same value objects, as the live feed hands them out. */
function sharedSource() {
  const pushes = new Set<(value: object) => void>();
  return {
    subscribe: () =>
      new Repeater<object>(async (push, stop) => {
        const add = (value: object) => void push(value);
        pushes.add(add);
        await stop;
        pushes.delete(add);
      }),
    emit: (value: object) => {
      for (const push of pushes) push(value);
    },
    get subscribers() {
      return pushes.size;
    },
  };
}

function setup() {
  const source = sharedSource();
  let resolved = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        value: {
          type: GraphQLString,
          subscribe: () => source.subscribe(),
          resolve: (value: { text: string }, _args, ctx: { viewer: { role: string } }) => {
            resolved++;
            return `${value.text} for ${ctx.viewer.role}`;
          },
        },
      },
    }),
  });
  let executions = 0;
  const plugin = useSharedExecution({
    around: (_operation, run) => {
      executions++;
      return run();
    },
  });
  let subscribeFn: ((args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>) | undefined;
  (plugin.onSubscribe as (payload: unknown) => void)({ setSubscribeFn: (fn: typeof subscribeFn) => (subscribeFn = fn) });
  const document = parse('subscription { value }');
  const subscribe = async (role: string, scope: string[] = []) =>
    (await subscribeFn!({
      schema,
      document,
      contextValue: { viewer: { role, scope, compoundIds: [], tokenId: `t-${Math.random()}`, label: role } },
    })) as AsyncIterableIterator<ExecutionResult>;
  return { source, subscribe, executions: () => executions, resolved: () => resolved };
}

describe('shared execution', () => {
  it('executes each value once for every subscriber of the same operation and access, and hands all of them the same result', async () => {
    const { source, subscribe, executions, resolved } = setup();
    const subscribers = await Promise.all(Array.from({ length: 50 }, () => subscribe('DISPLAY')));
    const pending = subscribers.map((s) => s.next());
    source.emit({ text: 'first' });
    const results = (await Promise.all(pending)).map((step) => step.value as ExecutionResult);
    expect(results[0]!.data).toEqual({ value: 'first for DISPLAY' });
    expect(new Set(results).size).toBe(1);
    expect(executions()).toBe(1);
    expect(resolved()).toBe(1);

    const next = subscribers.map((s) => s.next());
    source.emit({ text: 'second' });
    await Promise.all(next);
    expect(executions()).toBe(2);
    await Promise.all(subscribers.map((s) => s.return?.()));
    expect(source.subscribers).toBe(0);
  });

  it('never shares between different roles or scopes: each gets an execution with its own access', async () => {
    const { source, subscribe, executions } = setup();
    const admin = await subscribe('ADMIN');
    const display = await subscribe('DISPLAY');
    const siteA = await subscribe('OPERATOR', ['site-a']);
    const siteB = await subscribe('OPERATOR', ['site-b']);
    const all = [admin, display, siteA, siteB];
    const pending = all.map((s) => s.next());
    source.emit({ text: 'v' });
    const data = (await Promise.all(pending)).map((step) => (step.value as ExecutionResult).data);
    expect(data).toEqual([{ value: 'v for ADMIN' }, { value: 'v for DISPLAY' }, { value: 'v for OPERATOR' }, { value: 'v for OPERATOR' }]);
    expect(executions()).toBe(4);
    await Promise.all(all.map((s) => s.return?.()));
  });

  it('keys on variables regardless of their order, and on the caller', () => {
    const document = parse('subscription($a: Int, $b: Int) { value }');
    const ctx = (role: string, scope: string[]) => ({ viewer: { role, scope, compoundIds: [] } });
    const key = (variables: Record<string, unknown>, role = 'ADMIN', scope: string[] = []) =>
      sharingKey({ schema: undefined as never, document, variableValues: variables, contextValue: ctx(role, scope) });
    expect(key({ a: 1, b: 2 })).toBe(key({ b: 2, a: 1 }));
    expect(key({ a: 1 })).not.toBe(key({ a: 2 }));
    expect(key({ a: 1 }, 'OPERATOR', ['x', 'y'])).toBe(key({ a: 1 }, 'OPERATOR', ['y', 'x']));
    expect(key({ a: 1 }, 'OPERATOR', ['x'])).not.toBe(key({ a: 1 }, 'OPERATOR', ['y']));
    expect(key({ a: 1 }, 'ADMIN')).not.toBe(key({ a: 1 }, 'DISPLAY'));
  });
});
