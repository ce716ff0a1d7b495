import { randomUUID } from 'node:crypto';
import { globalId } from './ids.ts';
import { graphql } from './server.ts';

export const REPORT_CHECKPOINT = `mutation($input: ReportCheckpointCountsInput!) {
  reportCheckpointCounts(input: $input) {
    __typename
    ... on CheckpointReportPayload { duplicate report { id peopleScreened feverCases vehiclesInspected } }
    ... on Error { code message }
    ... on ValidationError { issues { field message } }
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

export function countsInput({ checkpoint = 'fengshou-road', now, ...rest }: CountsInput = {}) {
  return {
    checkpointId: globalId('Checkpoint', checkpoint),
    ...lastHour(1, now),
    idempotencyKey: randomUUID(),
    ...rest,
  };
}

export async function reportCounts(url: string, input: ReturnType<typeof countsInput>) {
  const response = await graphql(url, REPORT_CHECKPOINT, { input });
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.reportCheckpointCounts as Record<string, any>;
}
