// Scans at a compound gate, uploaded in batches by the gate keeper's phone (client/src/gate/): each
// scan carries its own idempotency key, so a batch sent again after a lost answer, or partly sent
// twice, stores each scan once. The server judges every code again at the instant it was scanned
// (signature, pass, compound, the pass's state then, the holder's isolation then): what the phone
// showed offline is kept beside it, and only VALID scans are counted in the gate's figures.
import { $Enums, type Checkpoint, type GateScan } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { prismaEnum } from '../core/enums.ts';
import { isRetryOf, submission } from '../core/idempotency.ts';
import { checkIdempotencyKey, Rules } from '../core/rules.ts';
import { found, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { invalidArgument } from '../core/errors.ts';
import { CheckpointRef } from '../checkpoints/checkpoints.ts';
import { GatePassStatus, isolationOf, passKeyOf, statusAt } from './passes.ts';
import { codeHash, passCode, verifyPassCode } from './pass-code.ts';
import { settleGateCounts } from './gate-counts.ts';

export const GateScanDirection = prismaEnum($Enums.GateScanDirection, 'GateScanDirection', 'Which way the person went through the gate.', {
  IN: 'Into the compound (temperature taken).',
  OUT: 'Out of the compound.',
});

export const GateScanVerdict = prismaEnum($Enums.GateScanVerdict, 'GateScanVerdict', 'What a scanned code was at the time of the scan.', {
  VALID: "An active pass of the gate's compound: counted.",
  SUSPENDED: 'A suspended pass (by staff, or its holder under home isolation): flagged, not counted.',
  REVOKED: 'A revoked pass: flagged, not counted.',
  OTHER_COMPOUND: "A pass of another compound: flagged, not counted.",
  UNKNOWN: 'No pass: a malformed, tampered or foreign code: flagged, not counted.',
});

const GateScanOutcome = builder.enumType('GateScanOutcome', {
  description: 'What became of one scan of a batch.',
  values: {
    STORED: { description: 'Stored now.' },
    DUPLICATE: { description: 'Stored before under the same key with the same content (a retried batch): nothing new.' },
    CONFLICT: { description: 'Its key was used before for a different scan: refused; the phone must give it a new key.' },
  },
});

/** The most scans one batch may carry (a phone offline for a shift holds a few hundred). */
export const MAX_SCANS_PER_BATCH = 500;
/** How old a scan may be when it arrives: a phone offline for a week still uploads. */
const MAX_SCAN_AGE_DAYS = 30;

const GateScanInput = builder.inputType('GateScanInput', {
  description: 'One scan as the phone recorded it.',
  fields: (t) => ({
    idempotencyKey: t.string({ required: true, description: 'Chosen by the phone once per scan (a UUID) and kept on every retry.' }),
    code: t.string({ required: true, description: 'The code as scanned or typed (separators and case do not matter).' }),
    direction: t.field({ type: GateScanDirection, required: true, description: 'In or out.' }),
    temperature: t.float({ required: false, description: 'Body temperature taken at the gate, °C (34–43), when taken (personal data).' }),
    scannedAt: t.field({ type: 'DateTime', required: true, description: 'When it was scanned (the phone’s clock; not in the future, at most 30 days ago).' }),
    deviceVerdict: t.field({ type: GateScanVerdict, required: false, description: 'What the phone showed the gate keeper, if it judged the code.' }),
  }),
});

interface ScanResult {
  idempotencyKey: string;
  outcome: 'STORED' | 'DUPLICATE' | 'CONFLICT';
  verdict: $Enums.GateScanVerdict | null;
  scannedAt: Date;
}

const GateScanResultRef = builder.objectRef<ScanResult>('GateScanResult').implement({
  description: 'One scan of a batch: what was stored and what the server found.',
  fields: (t) => ({
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The scan’s key.' }),
    outcome: t.field({ type: GateScanOutcome, description: 'Stored, a duplicate, or a refused reuse of the key.', resolve: (r) => r.outcome }),
    verdict: t.field({ type: GateScanVerdict, nullable: true, description: "The server's verdict (as stored; null for a conflict).", resolve: (r) => r.verdict }),
    flagged: t.boolean({ description: 'Not counted: the verdict is not VALID.', resolve: (r) => r.verdict !== null && r.verdict !== 'VALID' }),
  }),
});

const GateScanBatchPayload = builder.objectRef<{ results: ScanResult[] }>('GateScanBatchPayload').implement({
  description: 'The batch, scan by scan, in the order sent.',
  fields: (t) => ({
    results: t.field({ type: [GateScanResultRef], description: 'One result per scan sent.', resolve: (p) => p.results }),
    stored: t.int({ description: 'Scans stored now.', resolve: (p) => p.results.filter((r) => r.outcome === 'STORED').length }),
    duplicates: t.int({ description: 'Scans stored before (a retry).', resolve: (p) => p.results.filter((r) => r.outcome === 'DUPLICATE').length }),
  }),
});

type ScanInput = { idempotencyKey: string; code: string; direction: $Enums.GateScanDirection; temperature?: number | null; scannedAt: Date; deviceVerdict?: $Enums.GateScanVerdict | null };

/** A compound gate, or a typed refusal. */
export async function compoundGate(ctx: Context, checkpointId: string): Promise<Checkpoint> {
  const gate = found(await ctx.prisma.checkpoint.findUnique({ where: { id: checkpointId } }), 'checkpoint', checkpointId, 'checkpointId');
  if (gate.kind !== 'COMPOUND_GATE') throw new ValidationError([{ field: 'checkpointId', message: `${gate.id} is not a compound gate` }]);
  return gate;
}

function checkScans(scans: readonly ScanInput[], now: Date): void {
  const rules = new Rules();
  if (!scans.length) rules.fail('scans', 'must hold at least one scan');
  if (scans.length > MAX_SCANS_PER_BATCH) rules.fail('scans', `at most ${MAX_SCANS_PER_BATCH} per batch; got ${scans.length}`);
  const keys = new Set<string>();
  scans.forEach((scan, i) => {
    const at = new Rules();
    checkIdempotencyKey(at, scan.idempotencyKey);
    if (keys.has(scan.idempotencyKey)) at.fail('idempotencyKey', 'appears twice in the batch');
    keys.add(scan.idempotencyKey);
    if (scan.code.length > 100) at.fail('code', 'at most 100 characters');
    if (scan.temperature != null && !(scan.temperature >= 34 && scan.temperature <= 43)) at.fail('temperature', `must be between 34 and 43 °C; got ${scan.temperature}`);
    if (scan.scannedAt.getTime() > now.getTime() + 300_000) at.fail('scannedAt', `is in the future (now ${now.toISOString()})`);
    if (scan.scannedAt.getTime() < now.getTime() - MAX_SCAN_AGE_DAYS * 86_400_000) at.fail('scannedAt', `is more than ${MAX_SCAN_AGE_DAYS} days ago`);
    try {
      at.check();
    } catch (error) {
      for (const issue of (error as ValidationError).issues) rules.add({ ...issue, field: `scans.${i}.${issue.field}` });
    }
  });
  rules.check();
}

/** What each code is at its scan's instant (see the top of this file), and the pass it names. */
async function judge(ctx: Context, gate: Checkpoint, scans: readonly ScanInput[]): Promise<{ verdict: $Enums.GateScanVerdict; passId: string | null }[]> {
  const key = passKeyOf(ctx);
  const passIds = scans.map((scan) => verifyPassCode(key, scan.code));
  const passes = await ctx.prisma.gatePass.findMany({ where: { id: { in: [...new Set(passIds.filter((id): id is string => !!id))] } } });
  const byId = new Map(passes.map((p) => [p.id, p]));
  const isolated = await isolationOf(ctx.prisma, passes);
  // A pass scanned several times in a batch is judged at each instant.
  return scans.map((scan, i) => {
    const pass = passIds[i] ? byId.get(passIds[i]!) : undefined;
    if (!pass) return { verdict: 'UNKNOWN', passId: null };
    const status = statusAt(pass, isolated(pass, scan.scannedAt), scan.scannedAt);
    if (status !== 'ACTIVE') return { verdict: status, passId: pass.id };
    return { verdict: pass.compoundId === gate.areaId ? 'VALID' : 'OTHER_COMPOUND', passId: pass.id };
  });
}

const payloadOf = (checkpointId: string, scan: ScanInput) =>
  submission(scan.idempotencyKey, {
    checkpointId,
    code: codeHash(scan.code),
    direction: scan.direction,
    temperature: scan.temperature ?? null,
    scannedAt: scan.scannedAt.toISOString(),
    deviceVerdict: scan.deviceVerdict ?? null,
  });

/** Stores a checked batch: one transaction with one audit entry and one outbox event for what was new. */
export async function storeScans(ctx: Context, gate: Checkpoint, scans: readonly ScanInput[]): Promise<ScanResult[]> {
  const judged = await judge(ctx, gate, scans);
  const keys = scans.map((scan) => payloadOf(gate.id, scan));
  const results = await commitChange(ctx, async (tx) => {
    const rows = scans.map((scan, i) => ({
      checkpointId: gate.id,
      passId: judged[i]!.passId,
      codeHash: codeHash(scan.code),
      direction: scan.direction,
      temperature: scan.temperature ?? null,
      scannedAt: scan.scannedAt,
      verdict: judged[i]!.verdict,
      deviceVerdict: scan.deviceVerdict ?? null,
      recordedBy: ctx.actor,
      idempotencyKey: scan.idempotencyKey,
      payloadHash: keys[i]!.payloadHash,
    }));
    // The unique key decides: of concurrent uploads of one scan, one row.
    const inserted = await tx.gateScan.createManyAndReturn({ data: rows, skipDuplicates: true, select: { id: true, idempotencyKey: true } });
    const insertedKeys = new Set(inserted.map((r) => r.idempotencyKey));
    const earlier = new Map(
      (await tx.gateScan.findMany({ where: { idempotencyKey: { in: rows.filter((r) => !insertedKeys.has(r.idempotencyKey)).map((r) => r.idempotencyKey) } } })).map((s) => [s.idempotencyKey, s]),
    );
    const value: ScanResult[] = rows.map((row, i) => {
      if (insertedKeys.has(row.idempotencyKey)) return { idempotencyKey: row.idempotencyKey, outcome: 'STORED', verdict: row.verdict, scannedAt: row.scannedAt };
      const stored = earlier.get(row.idempotencyKey) as GateScan;
      return isRetryOf(stored, keys[i]!)
        ? { idempotencyKey: row.idempotencyKey, outcome: 'DUPLICATE', verdict: stored.verdict, scannedAt: stored.scannedAt }
        : { idempotencyKey: row.idempotencyKey, outcome: 'CONFLICT', verdict: null, scannedAt: row.scannedAt };
    });
    if (!inserted.length) return { value, change: null };
    const stored = rows.filter((r) => insertedKeys.has(r.idempotencyKey));
    const byVerdict = Object.fromEntries(Object.values($Enums.GateScanVerdict).map((v) => [v, stored.filter((r) => r.verdict === v).length]));
    return {
      value,
      change: {
        type: 'gateScans:recorded',
        entityType: 'GateScanBatch',
        entityId: inserted[0]!.id,
        // Not the temperatures nor the codes: which scans, where, when, with what verdict.
        after: { checkpointId: gate.id, scans: stored.map((r) => ({ idempotencyKey: r.idempotencyKey, direction: r.direction, scannedAt: r.scannedAt, verdict: r.verdict })) },
        payload: { checkpointId: gate.id, compoundId: gate.areaId, stored: stored.length, byVerdict },
      },
    };
  });
  return results;
}

builder.mutationFields((t) => ({
  recordGateScans: t.field({
    authScopes: (_root, args) => ({ operates: args.checkpointId.id }),
    type: GateScanBatchPayload,
    description:
      "Upload a batch of scans from a gate keeper's phone. Each scan is stored once under its own idempotency key, however often the batch is sent; each is judged again by the server at its scan time. Scans of an hour already over are counted into the gate's GATE_SCAN report of that hour at once (a correction if it was counted before).",
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      checkpointId: t.arg.globalID({ for: CheckpointRef, required: true, description: 'The compound gate.' }),
      scans: t.arg({ type: [GateScanInput], required: true, description: `The scans, at most ${MAX_SCANS_PER_BATCH}.` }),
    },
    resolve: async (_root, args, ctx) => {
      checkScans(args.scans, ctx.now());
      const gate = await compoundGate(ctx, args.checkpointId.id);
      const results = await storeScans(ctx, gate, args.scans);
      // The scans are stored; counting them is the settler's work, done now for the hours already over
      // and on the server's timer otherwise (a failure here is retried there).
      await settleGateCounts(ctx, { checkpointId: gate.id }).catch(() => undefined);
      return { results };
    },
  }),
}));

interface DirectoryEntry {
  codeHash: string;
  compoundId: string;
  status: $Enums.GatePassStatus;
}

const GatePassDirectoryEntryRef = builder.objectRef<DirectoryEntry>('GatePassDirectoryEntry').implement({
  description: 'One pass as a gate phone needs it to judge a code offline: no name, no code, only the hash of the code.',
  fields: (t) => ({
    codeHash: t.exposeString('codeHash', { description: 'SHA-256 (hex) of the canonical code (upper case, no separators, O read as 0, I and L as 1).' }),
    compoundId: t.exposeString('compoundId', { description: 'The slug of the pass’s compound.' }),
    status: t.field({ type: GatePassStatus, description: 'Its state when the directory was read.', resolve: (e) => e.status }),
  }),
});

const GatePassDirectoryRef = builder.objectRef<{ compoundId: string; asOf: Date; passes: DirectoryEntry[] }>('GatePassDirectory').implement({
  description: "Every pass of the zone by the hash of its code, for a gate phone's offline verdicts.",
  fields: (t) => ({
    compoundId: t.exposeString('compoundId', { description: 'The slug of the gate’s own compound.' }),
    asOf: t.expose('asOf', { type: 'DateTime', description: 'When it was read.' }),
    passes: t.field({ type: [GatePassDirectoryEntryRef], description: 'Every pass.', resolve: (d) => d.passes }),
  }),
});

builder.queryFields((t) => ({
  gatePassDirectory: t.field({
    authScopes: (_root, args) => ({ operates: args.checkpointId.id }),
    type: GatePassDirectoryRef,
    description: "What a gate keeper's phone keeps to judge codes while offline: every pass by the hash of its code, its compound and state. The server judges every scan again on upload.",
    args: { checkpointId: t.arg.globalID({ for: CheckpointRef, required: true, description: 'The compound gate.' }) },
    resolve: async (_root, args, ctx) => {
      // A query has no error union: a checkpoint that is no compound gate is a bad argument (BAD_USER_INPUT).
      const gate = await ctx.prisma.checkpoint.findUnique({ where: { id: args.checkpointId.id } });
      if (gate?.kind !== 'COMPOUND_GATE') throw invalidArgument('checkpointId', `${args.checkpointId.id} is not a compound gate`);
      const key = passKeyOf(ctx);
      const now = ctx.now();
      const passes = await ctx.prisma.gatePass.findMany({ orderBy: { id: 'asc' } });
      const isolated = await isolationOf(ctx.prisma, passes);
      return {
        compoundId: gate.areaId,
        asOf: now,
        passes: passes.map((p) => ({ codeHash: codeHash(passCode(key, p.id)), compoundId: p.compoundId, status: statusAt(p, isolated(p, now), now) })),
      };
    },
  }),
}));
