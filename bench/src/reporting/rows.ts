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

/**
 * A valid random report: an hour ending 1–60 minutes ago (never in the future, whatever the
 * server's clock drift in the meantime), counts within the rules, the fever, Hubei and referral
 * figures at most the people screened.
 */
export function randomReport(checkpointIds: readonly string[], idempotencyKey: string, now = Date.now()): ReportRow {
  const checkpointId = checkpointIds[Math.floor(Math.random() * checkpointIds.length)];
  if (checkpointId === undefined) throw new Error('no open checkpoint to report from');
  const periodEnd = new Date(now - 60_000 - int(59) * 60_000);
  const peopleScreened = int(600);
  return {
    checkpointId,
    periodStart: new Date(periodEnd.getTime() - 3_600_000),
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
