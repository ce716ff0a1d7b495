// Loads the seed's reference data and, on request, the simulated history. Safe to run on every
// start: reference rows are upserted by id (inserted when missing, updated only where a value
// differs), history rows have fixed ids and idempotency keys and are inserted with skipDuplicates.
// A run that writes anything appends one `seed:loaded` event in the same transaction.
import type { Prisma, PrismaClient } from '../generated/client/client.ts';
import { buildHistory, historyActor } from './history.ts';
import {
  areas,
  checkpoints,
  checkpointStaffing,
  departments,
  directives,
  enterprises,
  findings,
  inspections,
  lineStatusChanges,
  meetings,
  people,
  productionLines,
  products,
  productFieldsSetOnce,
} from './reference-data.ts';

export interface SeedOptions {
  /** Also load the simulated history of 27 Jan – 9 Feb 2020. @default false */
  history?: boolean;
}

type Tx = Prisma.TransactionClient;

/** The part of a Prisma model delegate the upsert needs; every delegate has it. */
interface Table<R extends { id: string }> {
  findMany(args: { where: { id: { in: string[] } } }): Promise<Record<string, unknown>[]>;
  createMany(args: { data: R[]; skipDuplicates: boolean }): Promise<{ count: number }>;
  update(args: { where: { id: string }; data: Partial<R> }): Promise<unknown>;
}

interface Written {
  inserted: number;
  updated: number;
}

const transactionOptions = { maxWait: 30_000, timeout: 300_000 };
const batchSize = 1000;

export async function seedDatabase(prisma: PrismaClient, options: SeedOptions = {}): Promise<string> {
  const reference = await prisma.$transaction((tx) => loadReference(tx), transactionOptions);
  const parts = [
    `reference data: ${areas.length} areas, ${departments.length} departments, ${people.length} people, ` +
      `${checkpoints.length} checkpoints, ${enterprises.length} enterprises, ${products.length} products, ` +
      `${productionLines.length} production lines, ${meetings.length} meetings, ${directives.length} directives, ` +
      `${inspections.length} inspections, ${findings.length} findings (${describeWrites(reference)})`,
  ];
  if (options.history) {
    const history = buildHistory();
    const written = await prisma.$transaction((tx) => loadHistory(tx, history), transactionOptions);
    parts.push(
      `simulated history 27 Jan–9 Feb 2020: ${history.checkpointReports.length} checkpoint reports, ` +
        `${history.outputReports.length} output reports, ${history.allocations.length} allocations, ` +
        `${history.isolationCases.length} isolation cases, ${history.healthChecks.length} health checks (${describeWrites(written)})`,
    );
  }
  return parts.join('; ');
}

function describeWrites(counts: Record<string, Written>): string {
  const inserted = sum(counts, 'inserted');
  const updated = sum(counts, 'updated');
  if (!inserted && !updated) return 'already loaded';
  return updated ? `${inserted} rows inserted, ${updated} updated` : `${inserted} rows inserted`;
}

function sum(counts: Record<string, Written>, key: keyof Written): number {
  return Object.values(counts).reduce((total, c) => total + c[key], 0);
}

// ─────────────────────────── reference ───────────────────────────

async function loadReference(tx: Tx): Promise<Record<string, Written>> {
  const table = <R extends { id: string }>(delegate: unknown) => delegate as Table<R>;
  const byDepth = [...areas].sort((a, b) => a.path.length - b.path.length);
  const written: Record<string, Written> = {};
  written.departments = await upsertById(table(tx.department), departments);
  written.areas = await upsertById(table(tx.area), byDepth);
  written.people = await upsertById(table(tx.person), people);
  written.products = await upsertById(table(tx.product), products, productFieldsSetOnce);
  written.enterprises = await upsertById(table(tx.enterprise), enterprises);
  written.checkpoints = await upsertById(table(tx.checkpoint), checkpoints);
  written.checkpointStaffing = {
    inserted: (await tx.checkpointStaffing.createMany({ data: checkpointStaffing, skipDuplicates: true })).count,
    updated: 0,
  };
  written.productionLines = await upsertById(table(tx.productionLine), productionLines);
  written.lineStatusChanges = await upsertById(table(tx.lineStatusChange), lineStatusChanges);
  written.meetings = await upsertById(
    table(tx.meeting),
    meetings.map(({ attendeeIds: _, ...meeting }) => meeting),
  );
  written.meetingAttendees = await connectMissing(
    meetings.map((m) => ({ id: m.id, personIds: m.attendeeIds })),
    async (ids) =>
      (await tx.meeting.findMany({ where: { id: { in: ids } }, select: { id: true, attendees: { select: { id: true } } } })).map(
        (m) => ({ id: m.id, personIds: m.attendees.map((p) => p.id) }),
      ),
    (id, personIds) => tx.meeting.update({ where: { id }, data: { attendees: { connect: personIds.map((p) => ({ id: p })) } } }),
  );
  written.directives = await upsertById(table(tx.directive), directives);
  written.inspections = await upsertById(
    table(tx.inspection),
    inspections.map(({ participantIds: _, ...inspection }) => inspection),
  );
  written.inspectionParticipants = await connectMissing(
    inspections.map((i) => ({ id: i.id, personIds: i.participantIds })),
    async (ids) =>
      (await tx.inspection.findMany({ where: { id: { in: ids } }, select: { id: true, participants: { select: { id: true } } } })).map(
        (i) => ({ id: i.id, personIds: i.participants.map((p) => p.id) }),
      ),
    (id, personIds) =>
      tx.inspection.update({ where: { id }, data: { participants: { connect: personIds.map((p) => ({ id: p })) } } }),
  );
  written.findings = await upsertById(table(tx.finding), findings);
  await recordEvent(tx, 'reference', written);
  return written;
}

/** Inserts missing rows in one statement and updates only the fields that differ from the seed. */
async function upsertById<R extends { id: string }>(table: Table<R>, rows: R[], setOnce: readonly string[] = []): Promise<Written> {
  const existing = new Map((await table.findMany({ where: { id: { in: rows.map((r) => r.id) } } })).map((r) => [r.id as string, r]));
  const missing = rows.filter((row) => !existing.has(row.id));
  const inserted = missing.length ? (await table.createMany({ data: missing, skipDuplicates: true })).count : 0;
  let updated = 0;
  for (const row of rows) {
    const current = existing.get(row.id);
    if (!current) continue;
    const changes = Object.fromEntries(
      Object.entries(row).filter(([key, value]) => key !== 'id' && !setOnce.includes(key) && !sameValue(value, current[key])),
    ) as Partial<R>;
    if (Object.keys(changes).length) {
      await table.update({ where: { id: row.id }, data: changes });
      updated++;
    }
  }
  return { inserted, updated };
}

function sameValue(wanted: unknown, stored: unknown): boolean {
  if (wanted === undefined) return true;
  if (wanted === null || stored === null || stored === undefined) return wanted === null && (stored ?? null) === null;
  if (wanted instanceof Date || stored instanceof Date) return new Date(wanted as Date).getTime() === new Date(stored as Date).getTime();
  if (typeof wanted === 'object') return JSON.stringify(wanted) === JSON.stringify(stored);
  return wanted === stored;
}

/** Adds the seed's people to a many-to-many list where they are missing; never removes anyone. */
async function connectMissing(
  wanted: { id: string; personIds: string[] }[],
  read: (ids: string[]) => Promise<{ id: string; personIds: string[] }[]>,
  connect: (id: string, personIds: string[]) => Promise<unknown>,
): Promise<Written> {
  const current = new Map((await read(wanted.map((w) => w.id))).map((c) => [c.id, new Set(c.personIds)]));
  let inserted = 0;
  for (const { id, personIds } of wanted) {
    const have = current.get(id) ?? new Set<string>();
    const missing = personIds.filter((p) => !have.has(p));
    if (missing.length) {
      await connect(id, missing);
      inserted += missing.length;
    }
  }
  return { inserted, updated: 0 };
}

// ──────────────────────────── history ────────────────────────────

async function loadHistory(tx: Tx, history: ReturnType<typeof buildHistory>): Promise<Record<string, Written>> {
  const historyKeys = { idempotencyKey: { startsWith: 'history:' } };
  const written: Record<string, Written> = {
    checkpointReports: await insertMissing(history.checkpointReports, () => tx.checkpointReport.count({ where: historyKeys }), (data) =>
      tx.checkpointReport.createMany({ data, skipDuplicates: true }),
    ),
    outputReports: await insertMissing(history.outputReports, () => tx.outputReport.count({ where: historyKeys }), (data) =>
      tx.outputReport.createMany({ data, skipDuplicates: true }),
    ),
    allocations: await insertMissing(history.allocations, () => tx.allocation.count({ where: historyKeys }), (data) =>
      tx.allocation.createMany({ data, skipDuplicates: true }),
    ),
    isolationCases: await insertMissing(
      history.isolationCases,
      () => tx.isolationCase.count({ where: { id: { in: history.isolationCases.map((c) => c.id!) } } }),
      (data) => tx.isolationCase.createMany({ data, skipDuplicates: true }),
    ),
    healthChecks: await insertMissing(
      history.healthChecks,
      () => tx.healthCheck.count({ where: { id: { in: history.healthChecks.map((c) => c.id!) } } }),
      (data) => tx.healthCheck.createMany({ data, skipDuplicates: true }),
    ),
  };
  await recordEvent(tx, 'history', written);
  return written;
}

/** Skips the work when every row is already there (the common restart); otherwise inserts in batches. */
async function insertMissing<R>(
  rows: R[],
  countExisting: () => Promise<number>,
  createMany: (data: R[]) => Promise<{ count: number }>,
): Promise<Written> {
  if ((await countExisting()) >= rows.length) return { inserted: 0, updated: 0 };
  let inserted = 0;
  for (let i = 0; i < rows.length; i += batchSize) inserted += (await createMany(rows.slice(i, i + batchSize))).count;
  return { inserted, updated: 0 };
}

// ───────────────────────────── outbox ─────────────────────────────

async function recordEvent(tx: Tx, subjectId: 'reference' | 'history', written: Record<string, Written>): Promise<void> {
  if (!sum(written, 'inserted') && !sum(written, 'updated')) return;
  const pick = (key: keyof Written) =>
    Object.fromEntries(Object.entries(written).filter(([, c]) => c[key] > 0).map(([table, c]) => [table, c[key]]));
  // Its seq comes from this transaction's id (outbox.ts): no lock needed.
  await tx.event.create({
    data: {
      type: 'seed:loaded',
      subjectType: 'Seed',
      subjectId,
      payload: { inserted: pick('inserted'), updated: pick('updated'), ...(subjectId === 'history' ? { simulatedBy: historyActor } : {}) },
      actor: 'seed',
    },
  });
}
