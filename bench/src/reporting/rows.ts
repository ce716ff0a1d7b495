import { createHash } from 'node:crypto';
import type { CheckpointCounts } from '@fangkong/zone';

/** One checkpoint report as a client would submit it; the same generator feeds ours and the baselines. */
export type ReportRow = CheckpointCounts & {
  checkpointId: string;
  periodStart: Date;
  periodEnd: Date;
  idempotencyKey: string;
};

const int = (max: number) => Math.floor(Math.random() * (max + 1));

/** Where this run's periods end: a minute before it started, then one second further back per report of a checkpoint. */
const periodsEndBy = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const SLICE_MS = 1000;
const YEAR_MS = 365 * 24 * 3_600_000;
let reports = 0;

/**
 * A valid random report of a period no other report of this run has: current reports of one
 * checkpoint may not overlap, so the n-th report takes checkpoint n mod k and the one-second slice
 * n div k seconds before the run began (in the past, whatever the server's clock drift). Counts are
 * within the rules, the fever, Hubei and referral figures at most the people screened. `endBy`: where
 * the slices end instead (a server on a demo clock has its own "now"). `yearBack`:
 * the same a year earlier, outside today's figures (which the subscribers' live values sum).
 */
export function randomReport(checkpointIds: readonly string[], idempotencyKey: string, { yearBack = false, endBy = periodsEndBy } = {}): ReportRow {
  const n = reports++;
  const checkpointId = checkpointIds[n % checkpointIds.length];
  if (checkpointId === undefined) throw new Error('no open checkpoint to report from');
  const periodEnd = new Date(endBy - Math.floor(n / checkpointIds.length) * SLICE_MS - (yearBack ? YEAR_MS : 0));
  const peopleScreened = int(600);
  return {
    checkpointId,
    periodStart: new Date(periodEnd.getTime() - SLICE_MS),
    periodEnd,
    vehiclesInspected: int(300),
    peopleScreened,
    feverCases: int(Math.min(peopleScreened, 5)),
    hubeiLinked: int(Math.min(peopleScreened, 20)),
    referred: int(Math.min(peopleScreened, 3)),
    disinfections: int(40),
    idempotencyKey,
  };
}

/** The counts in the order the columns take them. */
export const countsOf = (row: ReportRow) =>
  [row.vehiclesInspected, row.peopleScreened, row.feverCases, row.hubeiLinked, row.referred, row.disinfections] as const;

/** A fingerprint for the payloadHash column, so baseline rows carry what ours carry. */
export function rowHash(row: ReportRow): string {
  const { idempotencyKey: _key, ...payload } = row;
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}

/** The relay global ID the API takes for a checkpoint. */
export const checkpointGlobalId = (id: string) => Buffer.from(`Checkpoint:${id}`).toString('base64');
