import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { invalidArgument, userError } from '../core/errors.ts';
import type { OutboxEvent } from '../core/live.ts';

/** Every kind of outbox event, `entity:event`, with its description. New kinds are added here. */
export const EVENT_TYPES = {
  'checkpointReport:reported': 'A checkpoint reported counts.',
  'checkpointReport:corrected': 'A checkpoint report was corrected.',
  'outputReport:reported': 'A production line reported output.',
  'outputReport:corrected': 'An output report was corrected.',
  'productionLine:statusChanged': 'A production line changed status.',
  'allocation:planned': 'Supplies were allocated.',
  'allocation:dispatched': 'An allocation was sent.',
  'allocation:delivered': 'An allocation arrived.',
  'isolationCase:opened': 'A person was put under home isolation.',
  'isolationCase:closed': 'A home isolation ended.',
  'healthCheck:recorded': 'A health check of a person in isolation was recorded.',
  'directive:issued': 'A directive was issued.',
  'task:assigned': 'A task was assigned.',
  'task:statusChanged': 'A task changed status.',
  'finding:recorded': 'An inspection finding was recorded.',
  'finding:resolved': 'An inspection finding was resolved.',
  'resumptionApplication:submitted': 'An enterprise applied to resume work.',
  'resumptionApplication:decided': 'A resumption application was decided.',
  'seed:loaded': 'Reference data or simulated history was loaded.',
} as const;

type EventTypeName = keyof typeof EVENT_TYPES;

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
