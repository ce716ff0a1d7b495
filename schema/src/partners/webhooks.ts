import { $Enums, outboxPosition, type Role, type WebhookEndpoint } from '@fangkong/prisma';
import { randomBytes } from 'node:crypto';
import { RoleEnum } from '../access/viewer.ts';
import { builder } from '../core/builder.ts';
import { type Change, commitChange, type Tx } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { prismaEnum } from '../core/enums.ts';
import type { EventTypeName } from '../core/event-types.ts';
import { Rules } from '../core/rules.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { EventType } from '../events/events.ts';
import { AreaRef } from '../places/places.ts';
import { mayReceive, WEBHOOK_ROLES } from './webhook-events.ts';

// Webhooks: an admin registers a partner system's endpoint; the server's deliverer
// (server/src/partners/) POSTs each matching outbox event to it, signed, in order, from the cursor
// kept here. Registering, pausing and resuming are audited writes with outbox events; the secret
// never leaves through the API after registration, nor into the audit trail.

export const WebhookStatus = prismaEnum($Enums.WebhookStatus, 'WebhookStatus', 'Whether a webhook endpoint is being delivered to.', {
  ACTIVE: 'Events are delivered (or retried, with backoff, while the endpoint fails).',
  PAUSED: 'Nothing is delivered: an admin paused it, or it failed for longer than the server allows (pauseReason). resumeWebhookEndpoint goes on from its cursor, nothing skipped.',
});

/** The row as the audit trail may keep it: everything but the secret and the lease (the cursor as text, JSON has no 64-bit integers). */
const withoutSecret = ({ secret: _secret, leaseOwner: _owner, leaseUntil: _until, cursor, ...rest }: WebhookEndpoint) => ({ ...rest, cursor: String(cursor) });

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  nullable: true,
  authScopes: { admin: true },
  description: 'A partner system’s HTTP endpoint that receives outbox events as signed POSTs, in order, at least once (admins).',
  id: { field: 'id' },
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    label: t.exposeString('label', { description: 'Whose system it is.' }),
    eventTypes: t.field({ type: [EventType], description: 'The kinds of event it receives.', resolve: (e) => e.eventTypes as EventTypeName[] }),
    area: t.relation('area', { nullable: true, description: 'Only events in this area and below it (none: the whole zone).' }),
    role: t.expose('role', { type: RoleEnum, description: 'The role whose field rules its payloads follow (an event that role may not read is never sent).' }),
    status: t.expose('status', { type: WebhookStatus, description: 'Active or paused.' }),
    cursor: t.field({ type: 'Seq', description: 'The last event delivered (or passed over as not its own); delivery resumes after it.', resolve: (e) => e.cursor }),
    delivered: t.exposeInt('delivered', { description: 'Events delivered so far.' }),
    attempts: t.exposeInt('attempts', { description: 'Failed attempts at the next event (0 while all is well).' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed (HTTP status or network error).' }),
    failingSince: t.expose('failingSince', { type: 'DateTime', nullable: true, description: 'When the next event first failed; it is paused once this is older than the server allows.' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, description: 'The last attempt.' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, description: 'When the failing event is tried again.' }),
    lastDeliveredAt: t.expose('lastDeliveredAt', { type: 'DateTime', nullable: true, description: 'The last successful delivery.' }),
    pausedAt: t.expose('pausedAt', { type: 'DateTime', nullable: true, description: 'When it was paused.' }),
    pauseReason: t.exposeString('pauseReason', { nullable: true, description: 'Why it was paused.' }),
    lag: t.int({
      description: 'Events of its types after its cursor, not yet delivered (an upper bound when an area or role leaves some out).',
      resolve: async (e, _args, ctx) => (await webhookDelivery(ctx.prisma, e.id))[0]?.lag ?? 0,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    createdBy: t.exposeString('createdBy', { description: 'Who registered it.' }),
  }),
});

builder.queryField('webhookEndpoints', (t) =>
  t.prismaField({
    authScopes: { admin: true },
    type: ['WebhookEndpoint'],
    description: 'Every webhook endpoint with its delivery state (status, cursor, attempts, last error, lag), oldest first (admins).',
    resolve: (query, _root, _args, ctx) => ctx.prisma.webhookEndpoint.findMany({ ...query, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  }),
);

const RegisterWebhookEndpointInput = builder.inputType('RegisterWebhookEndpointInput', {
  description: 'A partner endpoint to deliver events to.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'http(s) URL events are POSTed to.' }),
    label: t.string({ required: true, description: 'Whose system it is.' }),
    eventTypes: t.field({ type: [EventType], required: true, description: 'The kinds of event it receives; its role must be able to read each.' }),
    areaId: t.globalID({ for: AreaRef, required: false, description: 'Only events in this area and below it (required for health staff).' }),
    role: t.field({ type: RoleEnum, required: false, defaultValue: 'PARTNER', description: 'Whose field rules payloads follow. Default: PARTNER.' }),
    secret: t.string({ required: false, description: 'Key of the HMAC-SHA256 signatures (24–256 characters); made for you when omitted, and shown once in the answer.' }),
    after: t.field({ type: 'Seq', required: false, description: 'Start after this event (a cursor); default: from now on.' }),
  }),
});

const RegisteredWebhookEndpoint = builder.objectRef<{ endpoint: WebhookEndpoint }>('RegisteredWebhookEndpoint').implement({
  description: 'The new endpoint and its signing secret (shown this once).',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, description: 'The endpoint.', resolve: (p) => p.endpoint }),
    secret: t.string({ description: 'The signing secret; it is not shown again.', resolve: (p) => p.endpoint.secret }),
  }),
});

const WebhookEndpointPayload = builder.objectRef<{ endpoint: WebhookEndpoint }>('WebhookEndpointPayload').implement({
  description: 'The endpoint after the change.',
  fields: (t) => ({ endpoint: t.field({ type: WebhookEndpointRef, description: 'The endpoint.', resolve: (p) => p.endpoint }) }),
});

const change = (type: EventTypeName, before: WebhookEndpoint | undefined, after: WebhookEndpoint): Change => ({
  type,
  entityType: 'WebhookEndpoint',
  entityId: after.id,
  before: before && withoutSecret(before),
  after: withoutSecret(after),
  payload: { endpointId: after.id, status: after.status, ...(after.pauseReason ? { reason: after.pauseReason } : {}) },
});

/** The endpoint, locked until the transaction ends (a pause and a resume never cross). */
async function lockedEndpoint(tx: Tx, id: string): Promise<WebhookEndpoint> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WebhookEndpoint" WHERE id = ${id} FOR UPDATE`;
  if (!row) throw new NotFoundError('webhook endpoint', id, 'endpointId');
  return tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
}

/**
 * Pauses an endpoint: by an admin (any holder), or by the deliverer holding its lease once it has
 * failed too long (`leaseOwner`). Returns null when it was not active or the lease is another's.
 */
export function pauseWebhookEndpoint(ctx: Context, id: string, reason: string, leaseOwner?: string): Promise<WebhookEndpoint | null> {
  return commitChange(ctx, async (tx) => {
    const before = await lockedEndpoint(tx, id);
    if (before.status !== 'ACTIVE' || (leaseOwner !== undefined && before.leaseOwner !== leaseOwner)) return { value: null, change: null };
    const after = await tx.webhookEndpoint.update({
      where: { id },
      // The lease stays: a delivery in flight still records its success; the deliverer stops on its next renewal.
      data: { status: 'PAUSED', pausedAt: ctx.now(), pauseReason: reason, nextAttemptAt: null },
    });
    return { value: after, change: change('webhookEndpoint:paused', before, after) };
  });
}

const endpointIssues = (args: { url: string; label: string; eventTypes: readonly string[]; role: Role; areaId?: { id: string } | null; secret?: string | null }) => {
  const rules = new Rules().text('label', args.label, { required: true, max: 200 });
  let url: URL | null = null;
  try {
    url = new URL(args.url);
  } catch {}
  if (!url || !['http:', 'https:'].includes(url.protocol) || args.url.length > 2000) rules.fail('url', 'must be an http or https URL of at most 2000 characters');
  if (!WEBHOOK_ROLES.includes(args.role)) rules.fail('role', `endpoints receive as one of ${WEBHOOK_ROLES.join(', ')}`);
  if (!args.eventTypes.length) rules.fail('eventTypes', 'name at least one kind of event');
  for (const type of args.eventTypes) if (!mayReceive(args.role, type)) rules.fail('eventTypes', `${args.role} may not read ${type} events`);
  if (args.role === 'HEALTH' && !args.areaId) rules.fail('areaId', 'health staff endpoints receive the compounds of one area: name it');
  if (args.secret != null && (args.secret.length < 24 || args.secret.length > 256)) rules.fail('secret', 'must be 24 to 256 characters');
  return rules;
};

builder.mutationFields((t) => ({
  registerWebhookEndpoint: t.field({
    authScopes: { admin: true },
    type: RegisteredWebhookEndpoint,
    description: 'Register a partner endpoint (admins): each event of its types and area that its role may read is POSTed to it, signed, in order, at least once, from now on (or after `after`). Audited, without the secret.',
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: RegisterWebhookEndpointInput, required: true, description: 'The endpoint.' }) },
    resolve: async (_root, { input }, ctx) => {
      const role = (input.role ?? 'PARTNER') as Role;
      endpointIssues({ ...input, role }).check();
      return commitChange(ctx, async (tx) => {
        if (input.areaId && !(await tx.area.findUnique({ where: { id: input.areaId.id }, select: { id: true } }))) {
          throw new NotFoundError('area', input.areaId.id, 'areaId');
        }
        const cursor = input.after ?? (await outboxPosition(tx))[0]?.seq ?? 0n;
        const endpoint = await tx.webhookEndpoint.create({
          data: {
            url: input.url,
            label: input.label.trim(),
            eventTypes: [...new Set(input.eventTypes)],
            areaId: input.areaId?.id ?? null,
            role,
            secret: input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
            cursor,
            createdBy: ctx.actor,
          },
        });
        return { value: { endpoint }, change: change('webhookEndpoint:registered', undefined, endpoint) };
      });
    },
  }),
  pauseWebhookEndpoint: t.field({
    authScopes: { admin: true },
    type: WebhookEndpointPayload,
    description: 'Stop delivering to an endpoint (admins); its cursor stays where it is. Audited.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      endpointId: t.arg.globalID({ for: WebhookEndpointRef, required: true, description: 'The endpoint.' }),
      reason: t.arg.string({ required: true, description: 'Why.' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('reason', args.reason, { required: true, max: 2000 }).check();
      const endpoint = await pauseWebhookEndpoint(ctx, args.endpointId.id, args.reason.trim());
      if (!endpoint) throw new InvalidStateError('endpointId', 'PAUSED', 'the endpoint is already paused');
      return { endpoint };
    },
  }),
  resumeWebhookEndpoint: t.field({
    authScopes: { admin: true },
    type: WebhookEndpointPayload,
    description: 'Deliver to a paused endpoint again (admins), from its cursor: every event after it arrives, in order, nothing skipped. Audited.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { endpointId: t.arg.globalID({ for: WebhookEndpointRef, required: true, description: 'The endpoint.' }) },
    resolve: async (_root, args, ctx) =>
      commitChange(ctx, async (tx) => {
        const id = args.endpointId.id;
        const before = await lockedEndpoint(tx, id);
        if (before.status !== 'PAUSED') throw new InvalidStateError('endpointId', before.status, 'the endpoint is not paused');
        const endpoint = await tx.webhookEndpoint.update({
          where: { id },
          data: { status: 'ACTIVE', pausedAt: null, pauseReason: null, attempts: 0, failingSince: null, nextAttemptAt: null },
        });
        return { value: { endpoint }, change: change('webhookEndpoint:resumed', before, endpoint) };
      }),
  }),
}));

/** Each endpoint's delivery as monitoring reads it (one statement): its state and its lag in events of its types. */
export interface WebhookDelivery {
  id: string;
  label: string;
  status: 'ACTIVE' | 'PAUSED';
  attempts: number;
  lag: number;
}

export function webhookDelivery(prisma: Pick<Context['prisma'], '$queryRaw'>, onlyId?: string): Promise<WebhookDelivery[]> {
  return prisma.$queryRaw<WebhookDelivery[]>`
    SELECT w.id, w.label, w.status::text AS status, w.attempts,
           (SELECT count(*)::int FROM "Event" e
             WHERE e.seq > w.cursor AND e.seq < fangkong_outbox_horizon() AND e.type = ANY(w."eventTypes")) AS lag
    FROM "WebhookEndpoint" w
    WHERE ${onlyId ?? null}::text IS NULL OR w.id = ${onlyId ?? null}
    ORDER BY w."createdAt"`;
}
