import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { invalidArgument, userError } from '../core/errors.ts';
import { EVENT_TYPES, type EventTypeName } from '../core/event-types.ts';
import type { OutboxEvent } from '../core/live.ts';

/** "checkpointReport:reported" → "CHECKPOINT_REPORT_REPORTED" */
const enumName = (type: string) => type.replace(/([a-z])([A-Z])/g, '$1_$2').replace(':', '_').toUpperCase();

export const EventType = builder.enumType('EventType', {
  description: 'Kinds of outbox events.',
  values: Object.fromEntries(
    Object.entries(EVENT_TYPES).map(([type, description]) => [enumName(type), { value: type, description: `${description} (${type})` }]),
  ) as Record<string, { value: EventTypeName; description: string }>,
});

export const EventRef = builder.objectRef<OutboxEvent>('Event').implement({
  description: 'One committed change, as recorded in the outbox.',
  fields: (t) => ({
    cursor: t.string({ description: 'Position in the outbox; pass it as `after` to resume right after this event.', resolve: (e) => String(e.seq) }),
    seq: t.field({ type: 'Seq', description: 'The same position as a sequence number.', resolve: (e) => e.seq }),
    type: t.field({ type: EventType, description: 'What happened.', resolve: (e) => e.type as EventTypeName }),
    at: t.field({ type: 'DateTime', description: 'When it was committed.', resolve: (e) => e.occurredAt }),
    subjectType: t.exposeString('subjectType', { description: 'The kind of object it concerns.' }),
    subjectId: t.id({ description: 'Global ID of the object it concerns (use node(id)).', resolve: (e) => encodeGlobalID(e.subjectType, e.subjectId) }),
    payload: t.string({ description: 'What subscribers need without reading the object, as JSON (never personal data).', resolve: (e) => JSON.stringify(e.payload) }),
  }),
});

function parseCursor(after: string | null | undefined): bigint {
  if (after == null) return -1n;
  if (!/^\d{1,19}$/.test(after)) throw invalidArgument('after', `"${after}" is not a cursor from this stream`);
  return BigInt(after);
}

builder.subscriptionFields((t) => ({
  events: t.field({
    authScopes: { events: true },
    type: EventRef,
    description:
      'The outbox as a lossless stream: every event after the cursor (only new ones when omitted), then live, in sequence order, with no gap and no duplicate. A consumer too far behind is closed with a reason and resumes from its last cursor.',
    args: {
      after: t.arg.string({ required: false, description: 'Resume after this cursor (an event’s `cursor`).' }),
      types: t.arg({ type: [EventType], required: false, description: 'Only these kinds.' }),
    },
    subscribe: (_root, args, ctx: Context) => {
      if (!ctx.live) throw userError('subscriptions are served over WebSocket (graphql-ws) and Server-Sent Events');
      const types = args.types?.length ? new Set<string>(args.types) : null;
      return ctx.live.events(parseCursor(args.after), (e) => !types || types.has(e.type));
    },
    resolve: (event) => event,
  }),
}));
