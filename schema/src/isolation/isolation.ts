import type { IsolationCase } from '@fangkong/prisma';
import { describeField } from '../core/access.ts';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { type Change, commitChange, type Tx } from '../core/changes.ts';
import { Rules } from '../core/rules.ts';
import { found, InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { checkPageSize } from '../core/pagination.ts';
import { AreaRef, withinAreaPath } from '../places/places.ts';
import { lockRow } from '../core/writes.ts';
import type { EventTypeName } from '../core/event-types.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums } from '@fangkong/prisma';

// Personal data: names, phones and health checks of people in home isolation (the fields are named in
// core/access.ts, PERSONAL_FIELDS). The access-control work restricts these types to health staff and
// admins; everyone else reads counts (zoneSummary).

const IsolationStatus = prismaEnum($Enums.IsolationStatus, 'IsolationStatus', 'Where a home-isolation case stands.', {
  ACTIVE: 'Under 24-hour home isolation.',
  RELEASED: 'Isolation ended.',
  TRANSFERRED: 'Moved to medical care or central isolation.',
});

export const IsolationCaseRef = builder.prismaNode('IsolationCase', {
  nullable: true,
  authScopes: (isolationCase) => ({ caresFor: isolationCase.compoundId }),
  description: 'A person under home isolation (personal data).',
  id: { field: 'id' },
  fields: (t) => ({
    personName: t.exposeString('personName', { description: describeField('IsolationCase', 'personName', "The person's name") }),
    phone: t.exposeString('phone', { description: describeField('IsolationCase', 'phone', 'Contact phone') }),
    compound: t.relation('compound', { description: 'The compound the person is isolated in.' }),
    reason: t.exposeString('reason', { description: describeField('IsolationCase', 'reason', 'Why (e.g. returned from Hubei)') }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Start of isolation.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'Planned end.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'Actual end.' }),
    status: t.expose('status', { type: IsolationStatus, description: 'Where the case stands.' }),
    simulated: t.exposeBoolean('simulated', { description: 'Produced by the simulator; not a real person.' }),
    healthChecks: t.relation('healthChecks', { description: 'Daily health checks, newest first.', query: { orderBy: { checkedAt: 'desc' } } }),
  }),
});

builder.prismaObject('HealthCheck', {
  authScopes: { personal: true },
  description: 'One health check of a person in isolation (personal data).',
  fields: (t) => ({
    temperature: t.exposeFloat('temperature', { description: describeField('HealthCheck', 'temperature', 'Body temperature, °C') }),
    symptoms: t.exposeStringList('symptoms', { description: describeField('HealthCheck', 'symptoms', 'Symptoms observed') }),
    note: t.exposeString('note', { nullable: true, description: describeField('HealthCheck', 'note', 'Remarks') }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', description: 'When.' }),
    checkedBy: t.exposeString('checkedBy', { description: 'By whom.' }),
  }),
});

builder.queryFields((t) => ({
  isolationCases: t.prismaConnection(
    {
      authScopes: { personal: true },
      type: 'IsolationCase',
      cursor: 'id',
      description: 'Home-isolation cases (personal data).',
      args: {
        status: t.arg({ type: IsolationStatus, required: false, description: 'Only this status.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only cases in this area or below.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.isolationCase.findMany({ ...query, where: casesWhere(args, ctx), orderBy: [{ startedAt: 'desc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.isolationCase.count({ where: casesWhere(args, ctx) }),
    },
    { description: 'A page of isolation cases.' },
  ),
}));

/** Health staff list only the compounds of their areas; admins everything. */
function casesWhere(args: { status?: $Enums.IsolationStatus | null; within?: { id: string } | null }, ctx: Context) {
  return {
    ...(args.status ? { status: args.status } : {}),
    ...(args.within ? { compound: withinAreaPath(args.within.id) } : {}),
    ...(ctx.viewer?.role === 'ADMIN' ? {} : { compoundId: { in: ctx.viewer?.compoundIds ?? [] } }),
  };
}

const IsolationCasePayload = builder.objectRef<{ isolationCase: IsolationCase }>('IsolationCasePayload').implement({
  description: 'The isolation case after the change.',
  fields: (t) => ({ isolationCase: t.field({ type: IsolationCaseRef, description: 'The case.', resolve: (p) => p.isolationCase }) }),
});

// Outbox payloads carry no personal data: displays and partners read the event stream.
function caseChange(type: EventTypeName, after: IsolationCase, before?: IsolationCase): Change {
  return { type, entityType: 'IsolationCase', entityId: after.id, before, after, payload: { compoundId: after.compoundId, status: after.status } };
}

async function activeCase(tx: Tx, id: string) {
  await lockRow(tx, 'IsolationCase', id, { entity: 'isolation case', field: 'caseId' });
  const isolationCase = await tx.isolationCase.findUniqueOrThrow({ where: { id } });
  if (isolationCase.status !== 'ACTIVE') throw new InvalidStateError('caseId', isolationCase.status, `the case is ${isolationCase.status.toLowerCase()}, not active`);
  return isolationCase;
}

builder.mutationFields((t) => ({
  openIsolationCase: t.field({
    authScopes: (_root, args) => ({ caresFor: args.compoundId.id }),
    type: IsolationCasePayload,
    description: 'Put a person under 24-hour home isolation in a compound (personal data).',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      compoundId: t.arg.globalID({ for: AreaRef, required: true, description: 'The compound.' }),
      personName: t.arg.string({ required: true, description: "The person's name." }),
      phone: t.arg.string({ required: true, description: 'A contact phone number.' }),
      reason: t.arg.string({ required: true, description: 'Why, e.g. "returned from Hubei on 2020-02-01".' }),
      startedAt: t.arg({ type: 'DateTime', required: true, description: 'Start of isolation.' }),
      endsAt: t.arg({ type: 'DateTime', required: false, description: 'Planned end (usually 14 days later).' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules()
        .text('personName', args.personName, { required: true, max: 100 })
        .text('reason', args.reason, { required: true, max: 1000 });
      if (!/^[0-9+\-() ]{5,20}$/.test(args.phone)) rules.fail('phone', 'must be 5–20 digits, spaces, +, -, ( or )');
      if (args.startedAt.getTime() > ctx.now().getTime() + 300_000) rules.fail('startedAt', 'is in the future');
      if (args.endsAt && args.endsAt <= args.startedAt) rules.fail('endsAt', 'must be after startedAt');
      rules.check();
      return commitChange(ctx, async (tx) => {
        const compound = found(await tx.area.findUnique({ where: { id: args.compoundId.id } }), 'area', args.compoundId.id, 'compoundId');
        if (compound.level !== 'COMPOUND') throw new ValidationError([{ field: 'compoundId', message: `${compound.id} is a ${compound.level.toLowerCase()}, not a compound` }]);
        const isolationCase = await tx.isolationCase.create({
          data: {
            compoundId: compound.id,
            personName: args.personName.trim(),
            phone: args.phone.trim(),
            reason: args.reason.trim(),
            startedAt: args.startedAt,
            endsAt: args.endsAt ?? null,
            createdBy: ctx.actor,
          },
        });
        return { value: { isolationCase }, change: caseChange('isolationCase:opened', isolationCase) };
      });
    },
  }),
  recordHealthCheck: t.field({
    authScopes: async (_root, args, ctx) => ({
      caresFor: (await ctx.prisma.isolationCase.findUnique({ where: { id: args.caseId.id }, select: { compoundId: true } }))?.compoundId ?? '',
    }),
    type: IsolationCasePayload,
    description: 'Record a daily health check of a person in isolation.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      caseId: t.arg.globalID({ for: IsolationCaseRef, required: true, description: 'The case.' }),
      temperature: t.arg.float({ required: true, description: 'Body temperature in °C (34–43).' }),
      symptoms: t.arg.stringList({ required: false, defaultValue: [], description: 'Symptoms observed (at most 10).' }),
      note: t.arg.string({ required: false, description: 'Remarks.' }),
      checkedAt: t.arg({ type: 'DateTime', required: true, description: 'When.' }),
    },
    resolve: async (_root, args, ctx) => {
      const symptoms = (args.symptoms ?? []).map((s) => s.trim()).filter(Boolean);
      const rules = new Rules().text('note', args.note, { max: 1000 });
      if (!(args.temperature >= 34 && args.temperature <= 43)) rules.fail('temperature', `must be between 34 and 43 °C; got ${args.temperature}`);
      if (symptoms.length > 10 || symptoms.some((s) => s.length > 100)) rules.fail('symptoms', 'at most 10, each at most 100 characters');
      if (args.checkedAt.getTime() > ctx.now().getTime() + 300_000) rules.fail('checkedAt', 'is in the future');
      rules.check();
      return commitChange(ctx, async (tx) => {
        const isolationCase = await activeCase(tx, args.caseId.id);
        if (args.checkedAt < isolationCase.startedAt) throw new ValidationError([{ field: 'checkedAt', message: 'is before the isolation started' }]);
        const check = await tx.healthCheck.create({
          data: { caseId: isolationCase.id, temperature: args.temperature, symptoms, note: args.note?.trim() || null, checkedAt: args.checkedAt, checkedBy: ctx.actor },
        });
        return {
          value: { isolationCase },
          change: { type: 'healthCheck:recorded', entityType: 'HealthCheck', entityId: check.id, after: check, payload: { compoundId: isolationCase.compoundId, fever: args.temperature >= 37.3 } },
        };
      });
    },
  }),
  closeIsolationCase: t.field({
    authScopes: async (_root, args, ctx) => ({
      caresFor: (await ctx.prisma.isolationCase.findUnique({ where: { id: args.caseId.id }, select: { compoundId: true } }))?.compoundId ?? '',
    }),
    type: IsolationCasePayload,
    description: 'End an isolation: released at term, or transferred to medical care.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      caseId: t.arg.globalID({ for: IsolationCaseRef, required: true, description: 'The case.' }),
      outcome: t.arg({ type: IsolationStatus, required: true, description: 'RELEASED or TRANSFERRED.' }),
      endedAt: t.arg({ type: 'DateTime', required: true, description: 'When it ended.' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules();
      if (args.outcome === 'ACTIVE') rules.fail('outcome', 'must be RELEASED or TRANSFERRED');
      if (args.endedAt.getTime() > ctx.now().getTime() + 300_000) rules.fail('endedAt', 'is in the future');
      rules.check();
      return commitChange(ctx, async (tx) => {
        const before = await activeCase(tx, args.caseId.id);
        if (args.endedAt < before.startedAt) throw new ValidationError([{ field: 'endedAt', message: 'is before the isolation started' }]);
        const isolationCase = await tx.isolationCase.update({ where: { id: before.id }, data: { status: args.outcome, endedAt: args.endedAt } });
        return { value: { isolationCase }, change: caseChange('isolationCase:closed', isolationCase, before) };
      });
    },
  }),
}));
