import { randomUUID } from 'node:crypto';
import { globalId } from './ids.ts';
import { graphql } from './server.ts';

export const REPORT_CHECKPOINT = `mutation($input: ReportCheckpointCountsInput!) {
  reportCheckpointCounts(input: $input) {
    __typename
    ... on CheckpointReportPayload { duplicate report { id peopleScreened feverCases vehiclesInspected } }
    ... on Error { code message }
    ... on ValidationError { issues { field message rule limit actual relatedField at } }
  }
}`;

export interface CountsInput {
  checkpoint?: string;
  periodStart?: string;
  periodEnd?: string;
  vehiclesInspected?: number;
  peopleScreened?: number;
  feverCases?: number;
  hubeiLinked?: number;
  referred?: number;
  disinfections?: number;
  idempotencyKey?: string;
  /** "Now" for the default period (the last full hour); the real time unless a test pins its clock. */
  now?: number;
}

/** The last full hour before `now`: a period every rule accepts. */
export function lastHour(hoursAgo = 1, now = Date.now()): { periodStart: string; periodEnd: string } {
  const end = new Date(Math.floor(now / 3_600_000) * 3_600_000 - (hoursAgo - 1) * 3_600_000);
  return { periodStart: new Date(end.getTime() - 3_600_000).toISOString(), periodEnd: end.toISOString() };
}

const SLICE_MS = 10_000;
let slices = 0;

/**
 * A period no earlier call returned: the next ten seconds of the last full hour before `now` (360 to
 * an hour). A checkpoint's current reports may not overlap, so reports that stand for "some new
 * report" each need a period of their own.
 */
export function freshPeriod(now = Date.now()): { periodStart: string; periodEnd: string } {
  const hourStart = Date.parse(lastHour(1, now).periodStart);
  const start = hourStart + (slices++ % (3_600_000 / SLICE_MS)) * SLICE_MS;
  return { periodStart: new Date(start).toISOString(), periodEnd: new Date(start + SLICE_MS).toISOString() };
}

/** A new report's input: a fresh period of the last full hour unless one is given. */
export function countsInput({ checkpoint = 'fengshou-road', now, ...rest }: CountsInput = {}) {
  return {
    checkpointId: globalId('Checkpoint', checkpoint),
    ...freshPeriod(now),
    idempotencyKey: randomUUID(),
    ...rest,
  };
}

export async function reportCounts(url: string, input: ReturnType<typeof countsInput>) {
  const response = await graphql(url, REPORT_CHECKPOINT, { input });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.reportCheckpointCounts as Record<string, any>;
}
