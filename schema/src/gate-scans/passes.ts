// Gate passes of the QR-code pilot (二维码扫描, 竹林路社区): households of a compound and their
// residents' passes, registered and issued by community staff. Community staff are the `health` role
// scoped to their areas: the same people and the same rule as isolation cases (README, Gate passes),
// so one scope (`caresFor`, the compounds of the token's areas) guards households, holders and cases
// alike, and suspension can follow a case without handing its data to anyone new.
//
// Households and holders are personal data (core/access.ts, PERSONAL_FIELDS): only admins and the
// health staff of the compound see them; everyone else reads counts (gate-counts.ts).
import { $Enums, type GateHousehold, type GatePass, type PrismaClient } from '@fangkong/prisma';
import { ErrorCode } from '@fangkong/zone';
import { describeField } from '../core/access.ts';
import { builder } from '../core/builder.ts';
import { type Change, commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { prismaEnum } from '../core/enums.ts';
import { userError } from '../core/errors.ts';
import type { EventTypeName } from '../core/event-types.ts';
import { checkPageSize } from '../core/pagination.ts';
import { Rules } from '../core/rules.ts';
import { found, InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { AreaRef } from '../places/places.ts';
import { newPassId, passCode, printedCode } from './pass-code.ts';

export const GatePassStatus = prismaEnum($Enums.GatePassStatus, 'GatePassStatus', "A gate pass's state.", {
  ACTIVE: 'Opens the gate of its compound.',
  SUSPENDED: 'Does not open the gate for now (set by staff, or while the holder is under home isolation).',
  REVOKED: 'Withdrawn for good.',
});

/** The signing key, or a clear refusal where the server has none (a context built without it). */
export function passKeyOf(ctx: Context): string {
  if (!ctx.passKey) throw userError('gate passes are not available: the server has no pass key', ErrorCode.BadUserInput);
  return ctx.passKey;
}

/**
 * A phone number's digits, without a country code (the last 11, a Chinese mobile number's length):
 * how a pass holder and an isolation case are recognised as one person, however each was written.
 */
export const phoneDigits = (phone: string): string => phone.replace(/\D/g, '').slice(-11);

type PassHolder = Pick<GatePass, 'id' | 'compoundId' | 'phoneDigits'>;

/**
 * Whether a pass's holder is under home isolation at an instant: an isolation case in the pass's
 * compound, begun by then and not ended, whose phone is the holder's. Suspension follows the case
 * without anyone touching the pass: from the case's start to its end, whenever the scan is uploaded.
 * One statement for all the passes given; the answer is asked per pass and instant.
 */
export async function isolationOf(prisma: PrismaClient, passes: readonly PassHolder[]): Promise<(pass: PassHolder, at: Date) => boolean> {
  const cases = passes.length
    ? await prisma.isolationCase.findMany({
        where: { compoundId: { in: [...new Set(passes.map((p) => p.compoundId))] } },
        select: { compoundId: true, phone: true, startedAt: true, endedAt: true },
      })
    : [];
  const byHolder = new Map<string, { startedAt: Date; endedAt: Date | null }[]>();
  for (const c of cases) {
    const key = `${c.compoundId}|${phoneDigits(c.phone)}`;
    byHolder.set(key, [...(byHolder.get(key) ?? []), c]);
  }
  return (pass, at) =>
    (byHolder.get(`${pass.compoundId}|${pass.phoneDigits}`) ?? []).some((s) => s.startedAt.getTime() <= at.getTime() && (!s.endedAt || s.endedAt.getTime() > at.getTime()));
}

/** A pass's state at an instant: its own (when set before then), else suspended while its holder is isolated. */
export function statusAt(pass: Pick<GatePass, 'status' | 'statusChangedAt'>, isolated: boolean, at: Date): $Enums.GatePassStatus {
  const own = pass.status !== 'ACTIVE' && (!pass.statusChangedAt || pass.statusChangedAt <= at) ? pass.status : 'ACTIVE';
  if (own === 'REVOKED') return own;
  return isolated ? 'SUSPENDED' : own;
}

export const GateHouseholdRef = builder.prismaNode('GateHousehold', {
  nullable: true,
  authScopes: (household) => ({ caresFor: household.compoundId }),
  description: 'A household of a compound registered for gate passes (personal data).',
  id: { field: 'id' },
  fields: (t) => ({
    compound: t.relation('compound', { description: 'Its compound.' }),
    room: t.exposeString('room', { description: describeField('GateHousehold', 'room', 'Building, unit and room') }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was registered.' }),
    createdBy: t.exposeString('createdBy', { description: 'Who registered it.' }),
    passes: t.relation('passes', { description: 'Its residents’ passes, oldest first.', query: { orderBy: { issuedAt: 'asc' } } }),
  }),
});

export const GatePassRef = builder.prismaNode('GatePass', {
  nullable: true,
  authScopes: (pass) => ({ caresFor: pass.compoundId }),
  description: "A resident's gate pass (personal data): the code on its card opens its compound's gate.",
  id: { field: 'id' },
  fields: (t) => ({
    household: t.relation('household', { description: 'The holder’s household.' }),
    holderName: t.exposeString('holderName', { description: describeField('GatePass', 'holderName', "The holder's name") }),
    holderPhone: t.exposeString('holderPhone', { description: describeField('GatePass', 'holderPhone', "The holder's phone") }),
    code: t.string({
      description: 'The code printed on the card and in its QR code, in groups of four (a secret: whoever has it can pass the gate).',
      resolve: (pass, _args, ctx) => printedCode(passCode(passKeyOf(ctx), pass.id)),
    }),
    ownStatus: t.expose('status', { type: GatePassStatus, description: 'The state staff set (suspended or revoked by hand).' }),
    status: t.field({
      type: GatePassStatus,
      description: 'The state now: the own status, or SUSPENDED while the holder is under home isolation.',
      resolve: async (pass, _args, ctx) => {
        const now = ctx.now();
        return statusAt(pass, (await isolationOf(ctx.prisma, [pass]))(pass, now), now);
      },
    }),
    underIsolation: t.boolean({
      description: 'The holder is under home isolation now (an active isolation case in the compound with the same phone).',
      resolve: async (pass, _args, ctx) => (await isolationOf(ctx.prisma, [pass]))(pass, ctx.now()),
    }),
    statusReason: t.exposeString('statusReason', { nullable: true, description: 'Why it was last suspended, reinstated or revoked.' }),
    statusChangedAt: t.expose('statusChangedAt', { type: 'DateTime', nullable: true, description: 'When.' }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued.' }),
    issuedBy: t.exposeString('issuedBy', { description: 'Who issued it.' }),
  }),
});

/** The compound, checked to be one. */
async function compoundOf(ctx: Context, id: string) {
  const compound = found(await ctx.prisma.area.findUnique({ where: { id } }), 'area', id, 'compoundId');
  if (compound.level !== 'COMPOUND') throw new ValidationError([{ field: 'compoundId', message: `${compound.id} is a ${compound.level.toLowerCase()}, not a compound` }]);
  return compound;
}

builder.queryFields((t) => ({
  gateHouseholds: t.prismaConnection(
    {
      authScopes: (_root, args) => ({ caresFor: args.compoundId.id }),
      type: 'GateHousehold',
      cursor: 'id',
      description: 'The households of a compound registered for gate passes, with their passes (personal data). The card sheet prints from this.',
      args: { compoundId: t.arg.globalID({ for: AreaRef, required: true, description: 'The compound.' }) },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.gateHousehold.findMany({ ...query, where: { compoundId: args.compoundId.id }, orderBy: [{ room: 'asc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.gateHousehold.count({ where: { compoundId: args.compoundId.id } }),
    },
    { description: 'A page of households.' },
  ),
}));

const GateHouseholdPayload = builder.objectRef<{ household: GateHousehold }>('GateHouseholdPayload').implement({
  description: 'The household after the change.',
  fields: (t) => ({ household: t.field({ type: GateHouseholdRef, description: 'The household.', resolve: (p) => p.household }) }),
});

const GatePassPayload = builder.objectRef<{ pass: GatePass }>('GatePassPayload').implement({
  description: 'The pass after the change.',
  fields: (t) => ({ pass: t.field({ type: GatePassRef, description: 'The pass.', resolve: (p) => p.pass }) }),
});

// Outbox payloads carry no personal data: the event stream is read by analysts.
const passChange = (type: EventTypeName, after: GatePass, before?: GatePass): Change => ({
  type,
  entityType: 'GatePass',
  entityId: after.id,
  before,
  after,
  payload: { compoundId: after.compoundId, householdId: after.householdId, status: after.status },
});

const passCompound = async (ctx: Context, passId: string) =>
  (await ctx.prisma.gatePass.findUnique({ where: { id: passId }, select: { compoundId: true } }))?.compoundId ?? '';

builder.mutationFields((t) => ({
  registerGateHousehold: t.field({
    authScopes: (_root, args) => ({ caresFor: args.compoundId.id }),
    type: GateHouseholdPayload,
    description: 'Register a household of a compound for gate passes (personal data).',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      compoundId: t.arg.globalID({ for: AreaRef, required: true, description: 'The compound.' }),
      room: t.arg.string({ required: true, description: 'Building, unit and room, e.g. "3-2-401".' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('room', args.room, { required: true, max: 50 }).check();
      const compound = await compoundOf(ctx, args.compoundId.id);
      return commitChange(ctx, async (tx) => {
        const household = await tx.gateHousehold.create({ data: { compoundId: compound.id, room: args.room.trim(), createdBy: ctx.actor } });
        return {
          value: { household },
          change: { type: 'gateHousehold:registered', entityType: 'GateHousehold', entityId: household.id, after: household, payload: { compoundId: compound.id } },
        };
      });
    },
  }),
  issueGatePass: t.field({
    authScopes: async (_root, args, ctx) => ({
      caresFor: (await ctx.prisma.gateHousehold.findUnique({ where: { id: args.householdId.id }, select: { compoundId: true } }))?.compoundId ?? '',
    }),
    type: GatePassPayload,
    description: 'Issue a pass to a resident of a household; its `code` is printed on the card sheet.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      householdId: t.arg.globalID({ for: GateHouseholdRef, required: true, description: 'The household.' }),
      holderName: t.arg.string({ required: true, description: "The resident's name." }),
      holderPhone: t.arg.string({ required: true, description: "The resident's phone (recognises their isolation case, if any)." }),
    },
    resolve: async (_root, args, ctx) => {
      passKeyOf(ctx);
      const rules = new Rules().text('holderName', args.holderName, { required: true, max: 100 });
      if (!/^[0-9+\-() ]{5,20}$/.test(args.holderPhone)) rules.fail('holderPhone', 'must be 5–20 digits, spaces, +, -, ( or )');
      rules.check();
      return commitChange(ctx, async (tx) => {
        const household = found(await tx.gateHousehold.findUnique({ where: { id: args.householdId.id } }), 'household', args.householdId.id, 'householdId');
        const pass = await tx.gatePass.create({
          data: {
            id: newPassId(),
            householdId: household.id,
            compoundId: household.compoundId,
            holderName: args.holderName.trim(),
            holderPhone: args.holderPhone.trim(),
            phoneDigits: phoneDigits(args.holderPhone),
            issuedBy: ctx.actor,
          },
        });
        return { value: { pass }, change: passChange('gatePass:issued', pass) };
      });
    },
  }),
  setGatePassStatus: t.field({
    authScopes: async (_root, args, ctx) => ({ caresFor: await passCompound(ctx, args.passId.id) }),
    type: GatePassPayload,
    description: 'Suspend, reinstate (ACTIVE) or revoke a pass; a revoked pass stays revoked. Suspension for home isolation needs no call: it follows the case.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      passId: t.arg.globalID({ for: GatePassRef, required: true, description: 'The pass.' }),
      status: t.arg({ type: GatePassStatus, required: true, description: 'The new state.' }),
      reason: t.arg.string({ required: true, description: 'Why (kept with the pass and in the audit trail).' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('reason', args.reason, { required: true, max: 500 }).check();
      return commitChange(ctx, async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "GatePass" WHERE id = ${args.passId.id} FOR UPDATE`;
        if (!locked) throw new NotFoundError('gate pass', args.passId.id, 'passId');
        const before = await tx.gatePass.findUniqueOrThrow({ where: { id: locked.id } });
        if (before.status === 'REVOKED') throw new InvalidStateError('passId', before.status, 'the pass is revoked; issue a new one');
        if (before.status === args.status) throw new InvalidStateError('status', before.status, `the pass is already ${before.status.toLowerCase()}`);
        const pass = await tx.gatePass.update({ where: { id: before.id }, data: { status: args.status, statusReason: args.reason.trim(), statusChangedAt: ctx.now() } });
        return { value: { pass }, change: passChange('gatePass:statusChanged', pass, before) };
      });
    },
  }),
}));
