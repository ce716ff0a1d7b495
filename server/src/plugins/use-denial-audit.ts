import type { Plugin } from 'graphql-yoga';
import type { Audit } from './audit.ts';
import type { ServerContext } from './guard.ts';

/**
 * The operation's tally of refused fields and the `onDenied` that counts into it. The Map is shared
 * by reference: Yoga hands resolvers and plugins a copy of the context object, not the one built.
 */
export function denialTally(): Pick<ServerContext, 'denied' | 'onDenied'> {
  const denied = new Map<string, number>();
  return { denied, onDenied: (what) => void denied.set(what, (denied.get(what) ?? 0) + 1) };
}

/** One audit entry and one log line per operation that had fields refused, with their counts. */
function flush(ctx: ServerContext, audit: Audit): void {
  if (!ctx.denied?.size) return;
  let total = 0;
  const parts: string[] = [];
  for (const [what, count] of ctx.denied) {
    total += count;
    parts.push(count > 1 ? `${what} ×${count}` : what);
  }
  ctx.denied.clear();
  audit(ctx, 'access:denied', `${total} refused: ${parts.join(', ')}`);
}

/**
 * Writes the field refusals of each operation (a query, or each event of a subscription) as one
 * denial with counts, not one entry per refused field: a list of 500 forbidden ids is one record.
 */
export function useDenialAudit(audit: Audit): Plugin {
  // Refusals happen while a result is made, and each result flushes its own: nothing is left at the
  // stream's end. The hooks are made once, not per subscriber: each result brings its arguments.
  const perResult = { onNext: ({ args }: { args: { contextValue: unknown } }) => flush(args.contextValue as ServerContext, audit) };
  const perStream = { onSubscribeResult: () => perResult };
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as unknown as ServerContext;
      return { onExecuteDone: () => flush(ctx, audit) };
    },
    onSubscribe: () => perStream,
  };
}
