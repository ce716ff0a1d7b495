import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { createTestDatabase, postgresReachable, type TestDatabase } from './support/postgres.ts';
import { tempDir } from './support/processes.ts';
import { redisCommand, redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { countsInput, REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, type GraphQLResponse, graphql, startServer, type RunningServer } from './support/server.ts';

// Answers to queries are kept until the outbox says they changed (server/src/plugins/use-response-cache.ts):
// a repeated read is served from the cache and says so, a report evicts what it changed before the
// mutation answers (on every instance sharing the store), scopes never share entries, and personal
// data is never kept.

const SUMMARY = `query Summary($day: Date!) { zoneSummary(day: $day) { day checkpointTotals { peopleScreened reports } asOfSeq } }`;
const PAGE = `query Page { checkpoints(first: 50) { edges { node { id slug today { peopleScreened } } } } }`;
const CASES = `query Cases { isolationCases(first: 20) { edges { node { id personName } } } }`;
const STALE = `query Stale { checkpoints(first: 50) { edges { node { slug isStale } } } }`;
/** Output against capacity for the part of the day elapsed: it moves with the clock alone. */
const UTILIZATION = `query Utilization { productionLines(first: 10) { edges { node { slug utilization } } } }`;

type Read = GraphQLResponse<any>;

const as = (token: string) => ({ authorization: `Bearer ${token}` });
const cacheOf = (response: Read) => response.extensions?.responseCache as { hit?: boolean; didCache?: boolean; asOfSeq?: string } | undefined;

function ok(response: Read): Read {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response;
}

async function report(url: string, token: string, people: number, now: number): Promise<void> {
  const response = ok(await graphql(url, REPORT_CHECKPOINT, { input: countsInput({ checkpoint: 'fengshou-road', peopleScreened: people, now }) }, as(token)));
  expect(response.data?.reportCheckpointCounts.__typename).toBe('CheckpointReportPayload');
}

/**
 * Reads until the answer comes from the cache: an event nobody here caused (an alert the evaluator
 * raises on its own) may evict an entry between two reads; it is kept again by the next one.
 */
async function warm(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<Read> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const response = ok(await graphql(url, query, variables, as(token)));
    if (cacheOf(response)?.hit) return response;
  }
  throw new Error(`never served from the cache: ${query}`);
}

const fengshou = (response: Read): number => response.data!.checkpoints.edges.find((e: any) => e.node.slug === 'fengshou-road').node.today.peopleScreened;

describe('response cache, one instance on the embedded database', () => {
  const dir = tempDir();
  const clock = pinnedClock('14:30');
  const day = shanghaiDay(clock.now());
  let server: RunningServer;
  let url: string;
  let analyst: string;
  let display: string;
  let operator: string;
  let health: string;

  beforeAll(async () => {
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_CLOCK_START: clock.start, FANGKONG_ALERT_SWEEP_MS: '3600000', LOG_LEVEL: 'silent' });
    url = server.graphqlUrl;
    const env = { FANGKONG_DATA_DIR: dir.path };
    [analyst, display, operator, health] = await Promise.all([
      createToken(env, 'analyst'),
      createToken(env, 'display'),
      createToken(env, 'operator', ['fengshou-road']),
      createToken(env, 'health', ['zhulinlu']),
    ]);
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('serves a repeated read from the cache and says so, with the outbox position it reflects', async () => {
    const first = ok(await graphql(url, SUMMARY, { day }, as(analyst)));
    expect(cacheOf(first)).toMatchObject({ hit: false, didCache: true });
    const second = ok(await graphql(url, SUMMARY, { day }, as(analyst)));
    expect(cacheOf(second)).toMatchObject({ hit: true });
    expect(second.data).toEqual(first.data);
    expect(cacheOf(second)!.asOfSeq).toBe(cacheOf(first)!.asOfSeq);
    expect(BigInt(second.data!.zoneSummary.asOfSeq)).toBeGreaterThanOrEqual(BigInt(cacheOf(second)!.asOfSeq!));
  });

  it('a report, then a read: the new figure at once, never the kept one', async () => {
    for (let round = 1; round <= 3; round++) {
      const before = await warm(url, PAGE, {}, analyst);
      const summaryBefore = await warm(url, SUMMARY, { day }, analyst);
      await report(url, operator, 100 * round, clock.now());
      const after = ok(await graphql(url, PAGE, {}, as(analyst)));
      expect(cacheOf(after)?.hit).toBe(false);
      expect(fengshou(after)).toBe(fengshou(before) + 100 * round);
      const summaryAfter = ok(await graphql(url, SUMMARY, { day }, as(analyst)));
      expect(cacheOf(summaryAfter)?.hit).toBe(false);
      expect(summaryAfter.data!.zoneSummary.checkpointTotals.peopleScreened).toBe(summaryBefore.data!.zoneSummary.checkpointTotals.peopleScreened + 100 * round);
      expect(BigInt(summaryAfter.data!.zoneSummary.asOfSeq)).toBeGreaterThan(BigInt(summaryBefore.data!.zoneSummary.asOfSeq));
    }
  });

  it('a display and an analyst asking the same query get entries of their own', async () => {
    const analystFirst = ok(await graphql(url, `${PAGE} `, {}, as(analyst)));
    expect(cacheOf(analystFirst)?.hit).toBe(false);
    const displayFirst = ok(await graphql(url, `${PAGE} `, {}, as(display)));
    expect(cacheOf(displayFirst)?.hit).toBe(false);
    expect(cacheOf(ok(await graphql(url, `${PAGE} `, {}, as(display))))?.hit).toBe(true);
    // Another token of the same role and scope shares the entry.
    const otherAnalyst = await createToken({ FANGKONG_DATA_DIR: dir.path }, 'analyst');
    expect(cacheOf(ok(await graphql(url, `${PAGE} `, {}, as(otherAnalyst))))?.hit).toBe(true);
  });

  it('never keeps personal data: isolation cases are read afresh, and other scopes are refused them', async () => {
    // An answer that is not kept says nothing about the cache.
    const own = ok(await graphql(url, CASES, {}, as(health)));
    expect(cacheOf(own)).toBeUndefined();
    const again = ok(await graphql(url, CASES, {}, as(health)));
    expect(cacheOf(again)).toBeUndefined();
    const other = await graphql(url, CASES, {}, as(analyst));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(other.data ?? null)).not.toContain('personName');
  });

  it('a kept answer read with GET carries an ETag, and is answered 304 while it has not changed', async () => {
    const get = (headers: Record<string, string> = {}) =>
      fetch(`${url}?${new URLSearchParams({ query: SUMMARY, variables: JSON.stringify({ day }) })}`, { headers: { accept: 'application/json', ...as(analyst), ...headers } });
    await get();
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{20,}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const body = (await first.json()) as Read;
    expect(body.extensions?.http).toBeUndefined();
    const again = await get({ 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // Revalidation passes the same checks as a read: without a token there is nothing to revalidate.
    const anonymous = await fetch(`${url}?${new URLSearchParams({ query: SUMMARY, variables: JSON.stringify({ day }) })}`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1', 'if-none-match': etag! } });
    expect(anonymous.status).toBe(401);
    await report(url, operator, 5, clock.now());
    const changed = await get({ 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('keeps nothing that reads the clock beyond the day, and never a mutation', async () => {
    ok(await graphql(url, STALE, {}, as(analyst)));
    expect(cacheOf(ok(await graphql(url, STALE, {}, as(analyst))))).toBeUndefined();
    ok(await graphql(url, UTILIZATION, {}, as(analyst)));
    expect(cacheOf(ok(await graphql(url, UTILIZATION, {}, as(analyst))))).toBeUndefined();
    const input = countsInput({ checkpoint: 'fengshou-road', peopleScreened: 1, now: clock.now() });
    const first = ok(await graphql(url, REPORT_CHECKPOINT, { input }, as(operator)));
    const retry = ok(await graphql(url, REPORT_CHECKPOINT, { input }, as(operator)));
    expect(first.data!.reportCheckpointCounts.duplicate).toBe(false);
    expect(retry.data!.reportCheckpointCounts.duplicate).toBe(true);
    expect(cacheOf(retry)?.hit).toBeUndefined();
  });
});

const live = (await postgresReachable()) && (await redisReachable());

describe.skipIf(!live)('response cache, two instances on PostgreSQL sharing Redis', () => {
  const clock = pinnedClock('14:30');
  const day = shanghaiDay(clock.now());
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let analyst: string;
  let operator: string;
  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    FANGKONG_REDIS_PREFIX: runPrefix('response-cache'),
    FANGKONG_CLOCK_START: clock.start,
    FANGKONG_ALERT_SWEEP_MS: '3600000',
    LOG_LEVEL: 'silent',
  });

  beforeAll(async () => {
    database = await createTestDatabase('response_cache');
    const shared = env();
    a = await startServer(shared);
    // The second starts on a migrated database; both start their followers at the outbox's end.
    b = await startServer(shared, 'serve', 90_000, a.adminToken);
    [analyst, operator] = await Promise.all([createToken(shared, 'analyst'), createToken(shared, 'operator', ['fengshou-road'])]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('an entry kept by one instance is served by the other', async () => {
    const first = ok(await graphql(a.graphqlUrl, SUMMARY, { day }, as(analyst)));
    expect(cacheOf(first)?.didCache).toBe(true);
    const other = ok(await graphql(b.graphqlUrl, SUMMARY, { day }, as(analyst)));
    expect(cacheOf(other)?.hit).toBe(true);
    expect(other.data).toEqual(first.data);
  });

  it('evicting never scans the keyspace (no KEYS on the shared Redis)', async () => {
    const keysCalls = async () => Number(/cmdstat_keys:calls=(\d+)/.exec(String(await redisCommand('INFO', 'commandstats')))?.[1] ?? 0);
    const before = await keysCalls();
    const summary = await warm(a.graphqlUrl, SUMMARY, { day }, analyst);
    await warm(b.graphqlUrl, PAGE, {}, analyst);
    await report(a.graphqlUrl, operator, 7, clock.now());
    // Evicted on both instances: the next reads see the report, and Redis was never asked for KEYS.
    const after = ok(await graphql(b.graphqlUrl, SUMMARY, { day }, as(analyst)));
    expect(after.data!.zoneSummary.checkpointTotals.peopleScreened).toBe(summary.data!.zoneSummary.checkpointTotals.peopleScreened + 7);
    expect(await keysCalls()).toBe(before);
  });

  it('a report on either instance, then a read on both: the new figure at once', async () => {
    for (let round = 1; round <= 4; round++) {
      const writer = round % 2 ? a : b;
      // Both instances warm, and both serving from the shared store.
      const before = await warm(a.graphqlUrl, PAGE, {}, analyst);
      await warm(b.graphqlUrl, PAGE, {}, analyst);
      const summaryBefore = await warm(a.graphqlUrl, SUMMARY, { day }, analyst);
      await warm(b.graphqlUrl, SUMMARY, { day }, analyst);
      await report(writer.graphqlUrl, operator, 10 * round, clock.now());
      for (const reader of [a, b]) {
        const after = ok(await graphql(reader.graphqlUrl, PAGE, {}, as(analyst)));
        expect(fengshou(after)).toBe(fengshou(before) + 10 * round);
        const summary = ok(await graphql(reader.graphqlUrl, SUMMARY, { day }, as(analyst)));
        expect(summary.data!.zoneSummary.checkpointTotals.peopleScreened).toBe(summaryBefore.data!.zoneSummary.checkpointTotals.peopleScreened + 10 * round);
      }
    }
  });
});
