// What the simulator needs to know about the zone, read through the public API: the server's clock
// and time zone, the checkpoints, the production lines, and a day's totals.
import { DEFAULT_TIME_ZONE } from '@fangkong/zone';
import { type ApiClient, RefusedError } from './api-client.ts';

export interface CheckpointInfo {
  /** Global ID, as the mutations take it. */
  id: string;
  slug: string;
  kind: string;
  status: string;
  reportIntervalMinutes: number;
  openedAt: Date | null;
  closedAt: Date | null;
  /** End of its latest report, so a restarted simulator does not cover the same time again (null
   * also when the token may not read figures). */
  lastReportAt: Date | null;
}

export interface LineInfo {
  id: string;
  slug: string;
  status: string;
  ratedDailyCapacity: number;
  enterprise: string;
  product: string;
  /** End of its latest output report. */
  lastReportAt: Date | null;
  /** Every status change, oldest first (replays use it to know what the line was doing then). */
  statusHistory: { to: string; at: Date }[];
}

export interface ServerClock {
  /** Server time minus local time: live periods end at the server's "now", even on a demo clock. */
  offsetMs: number;
  timeZone: string;
  /** "local" for a server older than Query.clock: our clock and the default zone stand in. */
  source: 'server' | 'local';
}

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

/**
 * Reads the server's time and zone (Query.clock, which every token may read), so a demo server's
 * clock (FANGKONG_CLOCK_START) is the simulator's too. It is the first request, so it also proves
 * the URL answers and takes the token.
 */
export async function readServerClock(client: ApiClient, attempts = 3): Promise<ServerClock> {
  const sentAt = Date.now();
  let clock: { now: string; timeZone: string };
  try {
    ({ clock } = (await client.post<{ clock: { now: string; timeZone: string } }>('query SimulatorClock { clock { now timeZone } }', {}, { maxAttempts: attempts })).data);
  } catch (error) {
    if (error instanceof RefusedError && error.reason === 'GRAPHQL_VALIDATION_FAILED') return { offsetMs: 0, timeZone: DEFAULT_TIME_ZONE, source: 'local' };
    throw error;
  }
  const receivedAt = Date.now();
  const offsetMs = new Date(clock.now).getTime() - (sentAt + receivedAt) / 2;
  // Below a second the difference is network noise, not a different clock.
  return { offsetMs: Math.abs(offsetMs) < 1000 ? 0 : offsetMs, timeZone: clock.timeZone, source: 'server' };
}

/** Pages of 100: the server's query-cost limit multiplies a selection by its page size. */
async function allPages<T>(client: ApiClient, field: string, query: string): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  do {
    const result: { data: Record<string, Page<T>> } = await client.post<Record<string, Page<T>>>(query, { after });
    const page: Page<T> = result.data[field]!;
    nodes.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

export async function loadCheckpoints(client: ApiClient): Promise<CheckpointInfo[]> {
  type Node = Omit<CheckpointInfo, 'openedAt' | 'closedAt' | 'lastReportAt'> & { openedAt: string | null; closedAt: string | null; lastReportAt: string | null };
  const nodes = await allPages<Node>(
    client,
    'checkpoints',
    `query SimulatorCheckpoints($after: String) {
      checkpoints(first: 100, after: $after) {
        edges { node { id slug kind status reportIntervalMinutes openedAt closedAt lastReportAt } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
  );
  return nodes.map((n) => ({ ...n, openedAt: date(n.openedAt), closedAt: date(n.closedAt), lastReportAt: date(n.lastReportAt) }));
}

export async function loadLines(client: ApiClient): Promise<LineInfo[]> {
  interface Node {
    id: string;
    slug: string;
    status: string;
    ratedDailyCapacity: number;
    enterprise: { slug: string };
    product: { slug: string };
    statusHistory: { to: string; at: string }[];
  }
  const nodes = await allPages<Node>(
    client,
    'productionLines',
    `query SimulatorProductionLines($after: String) {
      productionLines(first: 100, after: $after) {
        edges { node { id slug status ratedDailyCapacity enterprise { slug } product { slug } statusHistory { to at } } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
  );
  const lastReports = await lastOutputReports(client, nodes.map((n) => n.id));
  return nodes.map((n) => ({
    id: n.id,
    slug: n.slug,
    status: n.status,
    ratedDailyCapacity: n.ratedDailyCapacity,
    enterprise: n.enterprise.slug,
    product: n.product.slug,
    lastReportAt: lastReports.get(n.id) ?? null,
    statusHistory: n.statusHistory.map((change) => ({ to: change.to, at: new Date(change.at) })),
  }));
}

/**
 * End of each line's latest output report, for the lines whose reports this token may read (an
 * operator's own). Asked through nodes(ids:), where a line the token may not read is null in its
 * place instead of failing the whole list: without its last report the first slice could overlap it.
 */
async function lastOutputReports(client: ApiClient, lineIds: string[]): Promise<Map<string, Date>> {
  interface Node {
    id: string;
    outputReports: { edges: { node: { periodEnd: string } }[] };
  }
  const ends = new Map<string, Date>();
  if (!lineIds.length) return ends;
  try {
    const { data } = await client.post<{ nodes: (Node | null)[] | null }>(
      `query SimulatorLastOutput($ids: [ID!]!) {
        nodes(ids: $ids) { ... on ProductionLine { id outputReports(first: 1) { edges { node { periodEnd } } } } }
      }`,
      { ids: lineIds },
    );
    for (const node of data.nodes ?? []) {
      const end = node?.outputReports?.edges[0]?.node.periodEnd;
      if (node && end) ends.set(node.id, new Date(end));
    }
  } catch {
    // Lines without a known last report start one interval back; the server refuses any overlap.
  }
  return ends;
}

/** The status a line had at an instant according to its history; undefined before its first entry. */
export function statusAt(line: LineInfo, at: Date): string | undefined {
  let status: string | undefined;
  for (const change of line.statusHistory) if (change.at.getTime() <= at.getTime()) status = change.to;
  return status;
}

/** How many checkpoint reports one local day holds (any source). */
export async function dayCheckpointReports(client: ApiClient, day: string): Promise<number> {
  const { data } = await client.post<{ zoneSummary: { checkpointTotals: { reports: number } } }>(
    'query SimulatorDayTotals($day: Date!) { zoneSummary(day: $day) { checkpointTotals { reports } } }',
    { day },
  );
  return data.zoneSummary.checkpointTotals.reports;
}
