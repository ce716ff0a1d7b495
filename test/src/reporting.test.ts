import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { countsInput as countsInputAt, lastHour as lastHourAt, reportCounts } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

// Reporting runs on PostgreSQL here: concurrency, idempotency under contention and fault injection
// need a server with real concurrent connections. (The embedded database serialises every transaction.)
describe.skipIf(!(await postgresReachable()))('reporting on PostgreSQL', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let url: string;
  const rows = async (sql: string, params: unknown[] = []) => query(database.url, sql, params);
  const count = async (table: string) => Number((await rows(`SELECT COUNT(*)::int AS n FROM "${table}"`))[0]!.n);
  // The server's clock is pinned to the middle of a local day, so "the last hours" are always today.
  let clock: ReturnType<typeof pinnedClock>;
  const countsInput = (input: Parameters<typeof countsInputAt>[0] = {}) => countsInputAt({ now: clock.now(), ...input });
  const lastHour = (hoursAgo = 1) => lastHourAt(hoursAgo, clock.now());

  beforeAll(async () => {
    database = await createTestDatabase('reporting');
    clock = pinnedClock('14:30');
    server = await startServer({ DATABASE_URL: database.url, FANGKONG_CLOCK_START: clock.start });
    url = server.graphqlUrl;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  describe('validation: every rule names its field, and nothing is written', () => {
    type Input = Parameters<typeof countsInput>[0];
    // Each refusal: its type, the field, and for a broken rule the rule's code and values, from
    // which a client words it in its own language.
    const cases: [string, Input | (() => Input), string, string, object | null][] = [
      ['negative counts', { peopleScreened: -1 }, 'ValidationError', 'peopleScreened', { rule: 'WHOLE_NUMBER', actual: -1 }],
      ['counts over the maximum', { vehiclesInspected: 100_001 }, 'ValidationError', 'vehiclesInspected', { rule: 'AT_MOST_PER_REPORT', limit: 100_000, actual: 100_001 }],
      ['more fever cases than people screened', { peopleScreened: 5, feverCases: 6 }, 'ValidationError', 'feverCases', { rule: 'NOT_MORE_THAN_FIELD', relatedField: 'peopleScreened', limit: 5, actual: 6 }],
      ['more Hubei-linked than screened', { peopleScreened: 5, hubeiLinked: 6 }, 'ValidationError', 'hubeiLinked', { rule: 'NOT_MORE_THAN_FIELD', relatedField: 'peopleScreened' }],
      ['more referred than screened', { peopleScreened: 5, referred: 6 }, 'ValidationError', 'referred', { rule: 'NOT_MORE_THAN_FIELD', relatedField: 'peopleScreened' }],
      [
        'a period ending before it starts',
        { periodStart: '2020-02-07T10:00:00+08:00', periodEnd: '2020-02-07T09:00:00+08:00' },
        'ValidationError',
        'periodEnd',
        { rule: 'END_AFTER_START', at: '2020-02-07T02:00:00.000Z' },
      ],
      ['a period over 24 hours', { periodStart: '2020-02-06T00:00:00+08:00', periodEnd: '2020-02-07T00:00:01+08:00' }, 'ValidationError', 'periodEnd', { rule: 'PERIOD_TOO_LONG', limit: 24 }],
      [
        'a period in the future',
        () => ({ periodStart: new Date(clock.now() + 3_600_000).toISOString(), periodEnd: new Date(clock.now() + 7_200_000).toISOString() }),
        'ValidationError',
        'periodEnd',
        { rule: 'IN_FUTURE', at: expect.any(String) },
      ],
      ['an idempotency key too short', { idempotencyKey: 'abc' }, 'ValidationError', 'idempotencyKey', { rule: 'KEY_FORMAT' }],
      ['an unknown checkpoint', { checkpoint: 'no-such-checkpoint' }, 'NotFoundError', 'checkpointId', null],
    ];
    it.each(cases)('refuses %s', async (_name, input, typename, field, rule) => {
      const before = await count('CheckpointReport');
      const result = await reportCounts(url, countsInput(typeof input === 'function' ? input() : input));
      expect(result.__typename).toBe(typename);
      expect(result.message).toContain(`${field}:`);
      // A validation failure lists the field among its issues, with its rule; other refusals carry none.
      expect(result.issues ?? null).toEqual(rule ? expect.arrayContaining([expect.objectContaining({ field, ...rule })]) : null);
      expect(await count('CheckpointReport')).toBe(before);
    });

    it('refuses a closed checkpoint', async () => {
      const closedAt = new Date(clock.now() - 3 * 3_600_000);
      await rows(`UPDATE "Checkpoint" SET status = 'CLOSED', "closedAt" = $1 WHERE id = 'lubao-market'`, [closedAt]);
      const result = await reportCounts(url, countsInput({ checkpoint: 'lubao-market', peopleScreened: 3 }));
      expect(result.__typename).toBe('ValidationError');
      expect(result.message).toMatch(/checkpointId: lubao-market is closed/);
      expect(result.issues).toEqual([expect.objectContaining({ field: 'checkpointId', rule: 'SITE_CLOSED', at: closedAt.toISOString() })]);
      await rows(`UPDATE "Checkpoint" SET status = 'ACTIVE', "closedAt" = NULL WHERE id = 'lubao-market'`);
    });

    it('lists every broken rule at once', async () => {
      const result = await reportCounts(url, countsInput({ peopleScreened: 2, feverCases: 3, referred: 4, idempotencyKey: 'x' }));
      expect(result.issues.map((i: any) => i.field).sort()).toEqual(['feverCases', 'idempotencyKey', 'referred']);
    });
  });

  describe('idempotency', () => {
    it('adds exactly one report for 50 concurrent identical submissions', async () => {
      const input = countsInput({ checkpoint: 'yingbin-road-exit', peopleScreened: 321, feverCases: 2 });
      // The report's own events (a fever case at an exit also raises an alert, an event of its own).
      const reportEvents = async () => Number((await rows(`SELECT COUNT(*)::int AS n FROM "Event" WHERE type = 'checkpointReport:reported'`))[0]!.n);
      const events = await reportEvents();
      const results = await Promise.all(Array.from({ length: 50 }, () => reportCounts(url, input)));
      expect(results.every((r) => r.__typename === 'CheckpointReportPayload')).toBe(true);
      expect(new Set(results.map((r) => r.report.id)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await rows(`SELECT id FROM "CheckpointReport" WHERE "idempotencyKey" = $1`, [input.idempotencyKey])).toHaveLength(1);
      expect(await reportEvents()).toBe(events + 1);
    });

    it('refuses the same key with a different payload', async () => {
      const input = countsInput({ peopleScreened: 10 });
      expect((await reportCounts(url, input)).__typename).toBe('CheckpointReportPayload');
      const conflict = await reportCounts(url, { ...input, peopleScreened: 11 });
      expect(conflict).toMatchObject({ __typename: 'IdempotencyConflictError', code: 'IDEMPOTENCY_CONFLICT' });
    });
  });

  describe('corrections', () => {
    const CORRECT = `mutation($id: ID!, $input: CorrectCheckpointReportInput!, $reason: String!, $key: String!) {
      correctCheckpointReport(reportId: $id, input: $input, reason: $reason, idempotencyKey: $key) {
        __typename ... on CheckpointReportPayload { duplicate report { id peopleScreened feverCases vehiclesInspected supersedes { id } } } ... on Error { code message } } }`;

    it('counts a corrected report once, in its latest version, and keeps the original', async () => {
      const { periodStart, periodEnd } = lastHour(3);
      const original = await reportCounts(url, countsInput({ checkpoint: 'zhongyuan-road-exit', periodStart, periodEnd, peopleScreened: 100, feverCases: 1, vehiclesInspected: 30 }));
      const todayBefore = await todayOf('zhongyuan-road-exit');
      const key = randomUUID();
      const variables = { id: original.report.id, input: { peopleScreened: 90 }, reason: 'double-counted a shift change', key };
      const corrected = (await graphql(url, CORRECT, variables)).data!.correctCheckpointReport;
      expect(corrected.report).toMatchObject({ peopleScreened: 90, feverCases: 1, vehiclesInspected: 30, supersedes: { id: original.report.id } });
      expect((await graphql(url, CORRECT, variables)).data!.correctCheckpointReport).toMatchObject({ duplicate: true, report: { id: corrected.report.id } });
      const todayAfter = await todayOf('zhongyuan-road-exit');
      expect(todayAfter.peopleScreened).toBe(todayBefore.peopleScreened - 10);
      expect(todayAfter.reports).toBe(todayBefore.reports);
      const history = await rows(`SELECT "peopleScreened", "supersededAt" IS NOT NULL AS superseded FROM "CheckpointReport" WHERE id IN ($1, $2) ORDER BY "peopleScreened"`, [
        Buffer.from(original.report.id, 'base64').toString().split(':')[1],
        Buffer.from(corrected.report.id, 'base64').toString().split(':')[1],
      ]);
      expect(history).toEqual([{ peopleScreened: 90, superseded: false }, { peopleScreened: 100, superseded: true }]);
      const again = (await graphql(url, CORRECT, { ...variables, key: randomUUID() })).data!.correctCheckpointReport;
      expect(again).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
      const audit = await rows(`SELECT action, before IS NOT NULL AS has_before FROM "AuditEntry" WHERE action = 'checkpointReport:corrected'`);
      expect(audit).toEqual([{ action: 'checkpointReport:corrected', has_before: true }]);
    });
  });

  describe('production lines', () => {
    const SET_STATUS = `mutation($id: ID!, $status: LineStatus!) { setProductionLineStatus(lineId: $id, status: $status) { __typename ... on LineStatusPayload { line { status statusHistory { from to } } } ... on Error { code message } } }`;
    const REPORT_OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on OutputReportPayload { duplicate report { produced passedQc } } ... on Error { code message } } }`;

    it('moves along the allowed transitions only, recording each', async () => {
      await rows(`UPDATE "ProductionLine" SET status = 'INSTALLING' WHERE id = 'yizhonghong-line-3'`);
      const id = globalId('ProductionLine', 'yizhonghong-line-3');
      const skip = (await graphql(url, SET_STATUS, { id, status: 'PRODUCING' })).data!.setProductionLineStatus;
      expect(skip).toMatchObject({ __typename: 'InvalidStateError', message: expect.stringMatching(/installing line can move to commissioning or halted, not producing/) });
      const output = (await graphql(url, REPORT_OUTPUT, { input: { lineId: id, ...lastHour(), produced: 10, passedQc: 10, idempotencyKey: randomUUID() } })).data!.reportProductionOutput;
      expect(output).toMatchObject({ __typename: 'InvalidStateError' });
      for (const status of ['COMMISSIONING', 'PRODUCING', 'IDLE', 'PRODUCING', 'HALTED', 'COMMISSIONING']) {
        const result = (await graphql(url, SET_STATUS, { id, status })).data!.setProductionLineStatus;
        expect(result.line.status).toBe(status);
      }
      const history = await rows(`SELECT "from", "to" FROM "LineStatusChange" WHERE "lineId" = 'yizhonghong-line-3' AND "changedBy" = 'admin:test admin' ORDER BY at`);
      expect(history.map((h) => h.to)).toEqual(['COMMISSIONING', 'PRODUCING', 'IDLE', 'PRODUCING', 'HALTED', 'COMMISSIONING']);
    });

    it('corrects an output report once, keeping the original, and refuses correcting it again', async () => {
      const id = globalId('ProductionLine', 'pingguang-line-1');
      const made = (await graphql(url, `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { ... on OutputReportPayload { report { id } } } }`, {
        input: { lineId: id, ...lastHour(2), produced: 500, passedQc: 480, idempotencyKey: randomUUID() },
      })).data!.reportProductionOutput.report.id;
      const CORRECT = `mutation($id: ID!, $key: String!, $produced: Int!) { correctOutputReport(reportId: $id, produced: $produced, passedQc: 400, reason: "miscounted a pallet", idempotencyKey: $key) {
        __typename ... on OutputReportPayload { duplicate report { produced passedQc } } ... on Error { code message } } }`;
      const key = randomUUID();
      const first = (await graphql(url, CORRECT, { id: made, key, produced: 450 })).data!.correctOutputReport;
      expect(first).toEqual({ __typename: 'OutputReportPayload', duplicate: false, report: { produced: 450, passedQc: 400 } });
      expect((await graphql(url, CORRECT, { id: made, key, produced: 450 })).data!.correctOutputReport.duplicate).toBe(true);
      expect((await graphql(url, CORRECT, { id: made, key, produced: 451 })).data!.correctOutputReport.code).toBe('IDEMPOTENCY_CONFLICT');
      expect((await graphql(url, CORRECT, { id: made, key: randomUUID(), produced: 440 })).data!.correctOutputReport.code).toBe('INVALID_STATE');
      const rows = await query(database.url, `SELECT produced, "supersededAt" IS NOT NULL AS superseded FROM "OutputReport" WHERE "lineId" = 'pingguang-line-1' AND "reportedBy" <> 'simulator:history' ORDER BY produced`);
      expect(rows).toEqual([{ produced: 450, superseded: false }, { produced: 500, superseded: true }]);
    });

    it('refuses passed QC above produced and output far beyond capacity', async () => {
      const id = globalId('ProductionLine', 'mingren-mingkang-line-1');
      const qc = (await graphql(url, REPORT_OUTPUT, { input: { lineId: id, ...lastHour(), produced: 10, passedQc: 11, idempotencyKey: randomUUID() } })).data!.reportProductionOutput;
      expect(qc).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('passedQc') });
      const huge = (await graphql(url, REPORT_OUTPUT, { input: { lineId: id, ...lastHour(), produced: 9_000_000, passedQc: 1, idempotencyKey: randomUUID() } })).data!.reportProductionOutput;
      expect(huge).toMatchObject({ __typename: 'ValidationError', message: expect.stringContaining('rated capacity') });
    });
  });

  describe('supplies', () => {
    const ALLOCATE = `mutation($input: AllocateSuppliesInput!) { allocateSupplies(input: $input) { __typename ... on AllocationPayload { allocation { quantity } } ... on InsufficientStockError { available requested } ... on Error { code message } } }`;

    it('never lets stock go negative, also under 20 concurrent allocations', async () => {
      // A fresh product line makes exactly 1,000 units today.
      await rows(`INSERT INTO "Product" (id, name, "nameEn", category, unit, "unitEn") VALUES ('test-gown', '隔离衣', 'isolation gown', 'PROTECTIVE_EQUIPMENT', '件', 'piece')`);
      await rows(`INSERT INTO "ProductionLine" (id, name, "nameEn", "enterpriseId", "productId", "ratedDailyCapacity", status) VALUES ('test-gown-line', '隔离衣线', 'gown line', 'mingren-mingkang', 'test-gown', 24000, 'PRODUCING')`);
      const REPORT_OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename } }`;
      const made = await graphql(url, REPORT_OUTPUT, { input: { lineId: globalId('ProductionLine', 'test-gown-line'), ...lastHour(), produced: 1000, passedQc: 990, idempotencyKey: randomUUID() } });
      expect(made.data!.reportProductionOutput.__typename).toBe('OutputReportPayload');
      const allocate = () =>
        graphql(url, ALLOCATE, {
          input: { productId: globalId('Product', 'test-gown'), quantity: 120, source: 'STOCK', destination: 'MEDICAL_STAFF', idempotencyKey: randomUUID() },
        });
      const results = (await Promise.all(Array.from({ length: 20 }, allocate))).map((r) => r.data!.allocateSupplies);
      const granted = results.filter((r) => r.__typename === 'AllocationPayload');
      expect(granted).toHaveLength(8);
      expect(results.filter((r) => r.__typename === 'InsufficientStockError')).toHaveLength(12);
      const stock: any = await graphql(url, `{ zoneSummary { stock { product { slug } produced allocated stock } } }`);
      const gown = stock.data.zoneSummary.stock.find((s: any) => s.product.slug === 'test-gown');
      expect(gown).toEqual({ product: { slug: 'test-gown' }, produced: 1000, allocated: 960, stock: 40 });
    });
  });

  describe('atomicity', () => {
    it('leaves no report, audit entry or event when the transaction fails midway', async () => {
      // A database trigger makes the outbox insert fail for one marker value: a real mid-transaction failure.
      await rows(`CREATE FUNCTION fail_marked_event() RETURNS trigger AS $$
        BEGIN IF NEW.payload->>'peopleScreened' = '4242' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await rows(`CREATE TRIGGER fail_marked_event BEFORE INSERT ON "Event" FOR EACH ROW EXECUTE FUNCTION fail_marked_event()`);
      try {
        // What the report writes, leaving out what the alert evaluator may write meanwhile on its own.
        const written = async () =>
          (await rows(`SELECT (SELECT COUNT(*) FROM "CheckpointReport")::int AS reports,
            (SELECT COUNT(*) FROM "AuditEntry" WHERE action NOT LIKE 'alert%')::int AS audits,
            (SELECT COUNT(*) FROM "Event" WHERE type NOT LIKE 'alert%')::int AS events`))[0];
        const before = await written();
        const response = await graphql(url, `mutation($input: ReportCheckpointCountsInput!) { reportCheckpointCounts(input: $input) { __typename } }`, {
          input: countsInput({ peopleScreened: 4242 }),
        });
        expect(response.errors?.[0]?.message).toBe('Unexpected error.');
        expect(await written()).toEqual(before);
      } finally {
        await rows(`DROP TRIGGER fail_marked_event ON "Event"`);
        await rows(`DROP FUNCTION fail_marked_event()`);
      }
    });
  });

  describe('outbox', () => {
    it('gives every committed write one event with a strictly increasing sequence, and an audit entry', async () => {
      const events = await rows(`SELECT seq::text AS seq, type FROM "Event" ORDER BY "Event".seq`);
      const seqs = events.map((e) => BigInt(e.seq));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
      const reported = events.filter((e) => e.type === 'checkpointReport:reported').length;
      const audited = Number((await rows(`SELECT COUNT(*)::int AS n FROM "AuditEntry" WHERE action = 'checkpointReport:reported'`))[0]!.n);
      expect(audited).toBe(reported);
    });
  });

  describe('property: random submissions', () => {
    it('never fail unexpectedly, and database totals equal the sum of accepted reports', async () => {
      const checkpoint = 'binhe-gate';
      const accepted = { peopleScreened: 0, feverCases: 0, vehiclesInspected: 0 };
      let acceptedToday = 0;
      const before = await todayOf(checkpoint);
      const count = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.constant(2_000_000));
      await fc.assert(
        fc.asyncProperty(
          fc.record({ peopleScreened: count, feverCases: count, vehiclesInspected: count, hoursAgo: fc.integer({ min: -2, max: 6 }), retry: fc.boolean() }),
          async ({ hoursAgo, retry, ...counts }) => {
            const input = countsInput({ checkpoint, ...lastHour(hoursAgo), ...counts });
            const result = await reportCounts(url, input);
            expect(['CheckpointReportPayload', 'ValidationError']).toContain(result.__typename);
            if (result.__typename === 'CheckpointReportPayload') {
              for (const k of Object.keys(accepted) as (keyof typeof accepted)[]) accepted[k] += counts[k];
              if (shanghaiDay(input.periodStart) === shanghaiDay(clock.now())) acceptedToday += counts.peopleScreened;
              if (retry) expect((await reportCounts(url, input)).duplicate).toBe(true);
            }
          },
        ),
        { numRuns: 60, seed: 20200207 },
      );
      const [sums] = await rows(
        `SELECT COALESCE(SUM("peopleScreened"),0)::int AS "peopleScreened", COALESCE(SUM("feverCases"),0)::int AS "feverCases", COALESCE(SUM("vehiclesInspected"),0)::int AS "vehiclesInspected"
         FROM "CheckpointReport" WHERE "checkpointId" = $1 AND "supersededAt" IS NULL AND "reportedBy" = 'admin:test admin'`,
        [checkpoint],
      );
      expect(sums).toEqual(accepted);
      // Today's figure moved by exactly what was accepted for today's local date.
      const after = await todayOf(checkpoint);
      expect(after.peopleScreened - before.peopleScreened).toBe(acceptedToday);
    });
  });

  async function todayOf(slug: string) {
    const response = await graphql(url, `query($id: ID!) { node(id: $id) { ... on Checkpoint { today { peopleScreened feverCases reports } } } }`, { id: globalId('Checkpoint', slug) });
    return response.data!.node.today as { peopleScreened: number; feverCases: number; reports: number };
  }
});
