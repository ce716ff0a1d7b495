import { randomUUID } from 'node:crypto';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// Every rule fires on its condition and not just below it, clears itself, and is handled by the
// roles that may. The server's clock is pinned to 14:30 local, its sweep runs every 300 ms.

const ALERT_FIELDS = `id kind severity status subjectType subjectId occurrence message messageEn details raisedAt asOfSeq
  acknowledgedBy acknowledgeNote resolvedBy resolveNote area { id }`;
const ALERTS = `query($status: [AlertStatus!], $rule: ID) { alerts(status: $status, rule: $rule, first: 500) { totalCount edges { node { ${ALERT_FIELDS} } } } }`;
const UPDATE_RULE = `mutation($ruleId: ID!, $enabled: Boolean, $parameters: String, $cooldownMinutes: Int) {
  updateAlertRule(ruleId: $ruleId, enabled: $enabled, parameters: $parameters, cooldownMinutes: $cooldownMinutes) {
    __typename ... on AlertRulePayload { rule { id enabled parameters cooldownMinutes updatedBy } }
    ... on Error { code message } ... on ValidationError { issues { field message } } } }`;
const ACK = `mutation($id: ID!, $note: String) { acknowledgeAlert(alertId: $id, note: $note) {
  __typename ... on AlertPayload { alert { status acknowledgedBy acknowledgeNote } } ... on Error { code message } } }`;
const RESOLVE = `mutation($id: ID!, $note: String!) { resolveAlert(alertId: $id, note: $note) {
  __typename ... on AlertPayload { alert { status resolvedBy resolveNote } } ... on Error { code message } } }`;

const SET_SAFETY_LEVEL = `mutation($productId: ID!, $safetyLevel: Int!) { setProductSafetyLevel(productId: $productId, safetyLevel: $safetyLevel) {
  __typename ... on ProductPayload { changed product { safetyLevel } } ... on Error { code message } } }`;
const rule = (id: string) => globalId('AlertRule', id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!(await postgresReachable()))('alerts', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let url: string;
  let clock: ReturnType<typeof pinnedClock>;
  const tokens: Record<string, string> = {};
  const sql = (text: string, params: unknown[] = []) => query(database.url, text, params);
  const at = (minutesAgo: number) => new Date(clock.now() - minutesAgo * 60_000).toISOString();

  async function alerts(ruleId: string, token = server.adminToken): Promise<any[]> {
    const response = await graphql(url, ALERTS, { rule: rule(ruleId) }, { authorization: `Bearer ${token}` });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!.alerts.edges.map((e: any) => e.node);
  }

  /** Waits until the rule's alerts satisfy `predicate` (the evaluator works beside the writes; on a loaded machine it can lag by seconds, which the alerts benchmark measures, not this test). */
  async function until(ruleId: string, predicate: (alerts: any[]) => boolean, timeoutMs = 30_000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await alerts(ruleId);
      if (predicate(found)) return found;
      if (Date.now() > deadline) throw new Error(`alerts of ${ruleId} never matched: ${JSON.stringify(found)}`);
      await sleep(100);
    }
  }
  const about = (subject: string) => (a: any) => a.subjectId === subject;

  async function setSafetyLevel(product: string, safetyLevel: number) {
    const response = await graphql(url, SET_SAFETY_LEVEL, { productId: globalId('Product', product), safetyLevel });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!.setProductSafetyLevel;
  }

  async function updateRule(ruleId: string, variables: Record<string, unknown>) {
    const response = await graphql(url, UPDATE_RULE, { ruleId: rule(ruleId), ...variables });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!.updateAlertRule;
  }

  beforeAll(async () => {
    database = await createTestDatabase('alerts');
    clock = pinnedClock('14:30');
    const env = { DATABASE_URL: database.url, FANGKONG_CLOCK_START: clock.start, FANGKONG_ALERT_SWEEP_MS: '300' };
    server = await startServer(env);
    url = server.graphqlUrl;
    for (const role of ['commander', 'display', 'analyst']) tokens[role] = await createToken(env, role);
    tokens.health = await createToken(env, 'health', ['zhulinlu']);
    tokens.healthElsewhere = await createToken(env, 'health', ['baida-jiayuan']);
    tokens.operator = await createToken(env, 'operator', ['yingbin-road-exit']);
  }, 300_000); // six token commands, each a process, on a loaded machine

  afterAll(async () => {
    if (process.env.DEBUG_ALERTS) console.log(server?.output().split('\n').filter((l) => /alert|warn|error/i.test(l)).slice(0, 30).join('\n'));
    await server?.stop();
    await database?.drop();
  });

  describe('fever at an entry point', () => {
    it('raises one high alert for a fever case at an expressway exit, none without one or at another kind of site', async () => {
      // Evaluated in outbox order: once the last report's alert exists, the two before it were looked at.
      await reportCounts(url, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 50, feverCases: 0 }));
      await reportCounts(url, countsInput({ checkpoint: 'fengshou-road', now: clock.now(), peopleScreened: 50, feverCases: 2 }));
      const report = await reportCounts(url, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 50, feverCases: 1 }));
      expect(report.__typename).toBe('CheckpointReportPayload');
      const [alert, ...rest] = await until('fever-at-entry', (a) => a.length > 0);
      expect(rest).toEqual([]);
      expect(alert).toMatchObject({ kind: 'FEVER_AT_ENTRY', severity: 'HIGH', status: 'OPEN', subjectId: globalId('Checkpoint', 'yingbin-road-exit') });
      expect(alert.message).toContain('迎宾路高速出口');
      expect(alert.message).toContain('发热人员 1 人');
      expect(JSON.parse(alert.details)).toMatchObject({ feverCases: 1 });
      expect(Number(alert.asOfSeq)).toBeGreaterThan(0);
    });
  });

  describe('silent site', () => {
    it('raises for a site silent for more than twice its interval, not for one silent less, and resolves when it reports', async () => {
      // Interval 60 min: silent since 12:00 is 150 min (> 120); since 13:40 is 50 min.
      const input = (checkpoint: string, start: number, end: number) => ({
        checkpointId: globalId('Checkpoint', checkpoint),
        periodStart: at(start),
        periodEnd: at(end),
        peopleScreened: 10,
        idempotencyKey: randomUUID(),
      });
      expect((await reportCounts(url, input('zhongyuan-road-exit', 210, 150))).__typename).toBe('CheckpointReportPayload');
      expect((await reportCounts(url, input('linxigu-gate', 110, 50))).__typename).toBe('CheckpointReportPayload');
      const zhongyuan = globalId('Checkpoint', 'zhongyuan-road-exit');
      const [silent] = await until('silent-site', (a) => a.some(about(zhongyuan)));
      expect(silent).toMatchObject({ kind: 'SILENT_SITE', status: 'OPEN' });
      await sleep(1000); // three more sweeps
      expect((await alerts('silent-site')).filter(about(globalId('Checkpoint', 'linxigu-gate')))).toEqual([]);
      expect((await alerts('silent-site')).filter(about(zhongyuan))).toHaveLength(1);

      await reportCounts(url, input('zhongyuan-road-exit', 60, 0));
      const [resolved] = await until('silent-site', (a) => a.some((x) => about(zhongyuan)(x) && x.status === 'RESOLVED'));
      // Resolved by the report's event or by the next sweep, whichever comes first.
      expect(resolved.resolvedBy).toBe('alerts:evaluator');
    });

    it('counts only time within opening hours: 123 open minutes of silence raise, 117 do not', async () => {
      // Both last reported until 21:55 yesterday and close at 22:00 (5 open minutes); today one opened
      // 118 minutes ago, the other 112: 123 and 117 open minutes of silence (the limit is 2 × 60),
      // though both have been silent for more than 16 hours.
      const minuteOfDay = Math.floor(((clock.now() + 8 * 3_600_000) % 86_400_000) / 60_000);
      await sql(`UPDATE "Checkpoint" SET "opensAtMinute" = $1, "closesAtMinute" = 1320 WHERE id = 'binhe-gate'`, [minuteOfDay - 118]);
      await sql(`UPDATE "Checkpoint" SET "opensAtMinute" = $1, "closesAtMinute" = 1320 WHERE id = 'baida-supermarket'`, [minuteOfDay - 112]);
      const lastEnd = Date.parse(`${clock.start.slice(0, 10)}T21:55:00+08:00`) - 86_400_000;
      for (const site of ['binhe-gate', 'baida-supermarket']) {
        await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "reportedBy") VALUES ($1, $2, $3, $4, 5, 'test')`, [
          randomUUID(),
          site,
          new Date(lastEnd - 3_600_000),
          new Date(lastEnd),
        ]);
      }
      const binhe = about(globalId('Checkpoint', 'binhe-gate'));
      const [silent] = (await until('silent-site', (a) => a.some(binhe))).filter(binhe);
      expect(JSON.parse(silent.details).silentMinutes).toBeGreaterThanOrEqual(122);
      expect(JSON.parse(silent.details).silentMinutes).toBeLessThan(126);
      expect(silent.message).toContain('营业时间内已');
      await sleep(1000); // more sweeps
      expect((await alerts('silent-site')).filter(about(globalId('Checkpoint', 'baida-supermarket')))).toEqual([]);
    });
  });

  describe('isolation follow-up', () => {
    const OPEN_CASE = `mutation($compoundId: ID!, $startedAt: DateTime!) { openIsolationCase(compoundId: $compoundId, personName: "测试张三", phone: "139-0000-1234", reason: "returned from Hubei", startedAt: $startedAt) {
      __typename ... on IsolationCasePayload { isolationCase { id } } ... on Error { code message } } }`;
    const CHECK = `mutation($caseId: ID!, $temperature: Float!, $checkedAt: DateTime!) { recordHealthCheck(caseId: $caseId, temperature: $temperature, checkedAt: $checkedAt) { __typename ... on Error { code message } } }`;
    const openCase = async (startedAt: string) => {
      const response = await graphql(url, OPEN_CASE, { compoundId: globalId('Area', 'hpu-binhe'), startedAt });
      expect(response.errors).toBeUndefined();
      return response.data!.openIsolationCase.isolationCase.id as string;
    };
    const check = async (caseId: string, temperature: number) => {
      const response = await graphql(url, CHECK, { caseId, temperature, checkedAt: at(5) });
      expect(response.data?.recordHealthCheck.__typename).toBe('IsolationCasePayload');
    };

    it('raises for 37.3 °C and not for 37.2, without the name or phone for display and analyst, with them for health staff', async () => {
      const cool = await openCase(at(60 * 30));
      const hot = await openCase(at(60 * 30));
      await check(cool, 37.2);
      await check(hot, 37.3);
      const found = await until('isolation-fever', (a) => a.some(about(hot)));
      expect(found.filter(about(cool))).toEqual([]);
      const alertId = found.find(about(hot)).id;
      const PERSON = `query($id: ID!) { node(id: $id) { ... on Alert { message isolationCase { personName phone } } } }`;
      for (const role of ['display', 'analyst', 'commander']) {
        const response = await graphql(url, PERSON, { id: alertId }, { authorization: `Bearer ${tokens[role]}` });
        const text = JSON.stringify(response);
        expect(text).not.toContain('测试张三');
        expect(text).not.toContain('139-0000-1234');
        expect(response.data?.node?.message).toContain('居家隔离人员体温');
      }
      const health = await graphql(url, PERSON, { id: alertId }, { authorization: `Bearer ${tokens.health}` });
      expect(health.data?.node?.isolationCase).toEqual({ personName: '测试张三', phone: '139-0000-1234' });
    });

    it('raises for a case without a health check today by 10:00 and resolves it when one is recorded; a case begun today has none', async () => {
      const unchecked = await openCase(at(60 * 48));
      const begunToday = await openCase(at(60));
      await until('isolation-no-check', (a) => a.some(about(unchecked)));
      await sleep(1000); // later sweeps looked at both cases
      expect((await alerts('isolation-no-check')).filter(about(begunToday))).toEqual([]);
      await check(unchecked, 36.6);
      await until('isolation-no-check', (a) => a.some((x) => about(unchecked)(x) && x.status === 'RESOLVED'));
    });

    it('lets health staff of the area acknowledge an isolation alert, not health staff elsewhere', async () => {
      const [alert] = (await alerts('isolation-fever')).filter((a) => a.status === 'OPEN');
      const elsewhere = await graphql(url, ACK, { id: alert.id }, { authorization: `Bearer ${tokens.healthElsewhere}` });
      expect(elsewhere.errors?.[0]?.extensions?.code, JSON.stringify(elsewhere)).toBe('FORBIDDEN');
      const here = await graphql(url, ACK, { id: alert.id, note: '已电话联系' }, { authorization: `Bearer ${tokens.health}` });
      expect(here.data?.acknowledgeAlert).toMatchObject({ __typename: 'AlertPayload', alert: { status: 'ACKNOWLEDGED', acknowledgeNote: '已电话联系' } });
    });
  });

  describe('acknowledgement and resolution', () => {
    it('commanders acknowledge then resolve; display and operators are refused; a wrong state is a typed error', async () => {
      const [alert] = await until('fever-at-entry', (a) => a.some((x) => x.status === 'OPEN'));
      for (const role of ['display', 'analyst', 'operator']) {
        const refused = await graphql(url, ACK, { id: alert.id }, { authorization: `Bearer ${tokens[role]}` });
        expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const ack = await graphql(url, ACK, { id: alert.id, note: '已派人核查' }, { authorization: `Bearer ${tokens.commander}` });
      expect(ack.data?.acknowledgeAlert.alert).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgeNote: '已派人核查' });
      const again = await graphql(url, ACK, { id: alert.id }, { authorization: `Bearer ${tokens.commander}` });
      expect(again.data?.acknowledgeAlert).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
      const resolved = await graphql(url, RESOLVE, { id: alert.id, note: '已转运定点医院' }, { authorization: `Bearer ${tokens.commander}` });
      expect(resolved.data?.resolveAlert.alert).toMatchObject({ status: 'RESOLVED', resolveNote: '已转运定点医院' });
      const twice = await graphql(url, RESOLVE, { id: alert.id, note: 'x' }, { authorization: `Bearer ${tokens.commander}` });
      expect(twice.data?.resolveAlert).toMatchObject({ __typename: 'InvalidStateError' });
      const audit = await sql(`SELECT action FROM "AuditEntry" WHERE "entityType" = 'Alert' AND "entityId" = $1 ORDER BY at`, [Buffer.from(alert.id, 'base64').toString().split(':')[1]]);
      expect(audit.map((r) => r.action)).toEqual(['alert:raised', 'alert:acknowledged', 'alert:resolved']);
    });

    it('operators see the alerts of their own sites only', async () => {
      const mine = await alerts('fever-at-entry', tokens.operator);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((a) => a.subjectId === globalId('Checkpoint', 'yingbin-road-exit'))).toBe(true);
      expect(await alerts('silent-site', tokens.operator)).toEqual([]);
      expect(await alerts('isolation-fever', tokens.operator)).toEqual([]);
    });
  });

  describe('rules are rows admins change', () => {
    it('refuses parameters that do not fit the kind, and non-admins', async () => {
      const bad = await updateRule('stock-low', { parameters: JSON.stringify({ thresholds: { food: -1 }, extra: 1 }) });
      expect(bad.__typename).toBe('ValidationError');
      expect(bad.issues.map((i: any) => i.field).sort()).toEqual(['parameters.extra', 'parameters.thresholds']);
      const commander = await graphql(url, UPDATE_RULE, { ruleId: rule('stock-low'), enabled: false }, { authorization: `Bearer ${tokens.commander}` });
      expect(commander.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('stock low: raises below the product’s safety level, not at it, resolves when the level drops; the change is audited', async () => {
      // Nothing is produced in this database: every stock is 0. The rule has no thresholds of its own.
      const updated = await updateRule('stock-low', { parameters: '{}', cooldownMinutes: 0 });
      expect(updated.rule.cooldownMinutes).toBe(0);
      expect(JSON.parse(updated.rule.parameters)).toEqual({});
      expect(await setSafetyLevel('drinks', 1)).toMatchObject({ changed: true, product: { safetyLevel: 1 } });
      expect(await setSafetyLevel('food', 0)).toMatchObject({ changed: false });
      const found = await until('stock-low', (a) => a.some(about(globalId('Product', 'drinks'))));
      expect(found.filter(about(globalId('Product', 'food')))).toEqual([]);
      expect(JSON.parse(found.find(about(globalId('Product', 'drinks'))).details)).toEqual({ stock: 0, threshold: 1 });
      await setSafetyLevel('drinks', 0);
      await until('stock-low', (a) => a.filter(about(globalId('Product', 'drinks'))).every((x) => x.status === 'RESOLVED'));
      const audit = await sql(`SELECT actor, before->>'safetyLevel' AS "from", after->>'safetyLevel' AS "to" FROM "AuditEntry" WHERE action = 'product:safetyLevelSet' AND "entityId" = 'drinks' ORDER BY at`);
      expect(audit.map((a) => [a.from, a.to])).toEqual([['0', '1'], ['1', '0']]);
    });
  });

  describe('overdue work and production', () => {
    it('a task 10 minutes past its due time raises, one due in 5 minutes does not, and it resolves when done', async () => {
      const ASSIGN = `mutation($title: String!, $dueAt: DateTime!) { assignTask(title: $title, ownerDepartmentId: "${globalId('Department', 'health')}", dueAt: $dueAt) {
        __typename ... on TaskPayload { task { id } } ... on Error { code message } } }`;
      const late = await graphql(url, ASSIGN, { title: '核查迎宾路出口物资', dueAt: at(10) });
      const early = await graphql(url, ASSIGN, { title: '明日巡查', dueAt: at(-5) });
      const lateId = late.data?.assignTask.task.id;
      const earlyId = early.data?.assignTask.task.id;
      expect(lateId && earlyId).toBeTruthy();
      const found = await until('task-overdue', (a) => a.some(about(lateId)));
      expect(found.filter(about(earlyId))).toEqual([]);
      await graphql(url, `mutation($id: ID!) { updateTaskStatus(taskId: $id, status: DONE) { __typename } }`, { id: lateId });
      await until('task-overdue', (a) => a.some((x) => about(lateId)(x) && x.status === 'RESOLVED'));
    });

    it('a finding unresolved 3 days after its inspection raises, one of an inspection 10 minutes short of 3 days ago does not; rectifying resolves it', async () => {
      await sql(`UPDATE "Inspection" SET "heldAt" = $1 WHERE id = 'field-visit-2020-02-07'`, [at(60 * 24 * 3 + 10)]);
      await sql(`UPDATE "Inspection" SET "heldAt" = $1 WHERE id = 'field-visit-2020-02-04'`, [at(60 * 24 * 3 - 10)]);
      const unresolved = await sql(`SELECT id, "inspectionId" FROM "Finding" WHERE "resolvedAt" IS NULL AND "inspectionId" IN ('field-visit-2020-02-07', 'field-visit-2020-02-04')`);
      const late = unresolved.filter((f) => f.inspectionId === 'field-visit-2020-02-07').map((f) => globalId('Finding', f.id));
      const recent = unresolved.filter((f) => f.inspectionId !== 'field-visit-2020-02-07').map((f) => globalId('Finding', f.id));
      expect(late.length).toBeGreaterThan(0);
      expect(recent.length).toBeGreaterThan(0);
      const found = await until('finding-overdue', (a) => late.every((id) => a.some(about(id))));
      expect(found.filter((a) => recent.includes(a.subjectId))).toEqual([]);
      const RESOLVE_FINDING = `mutation($id: ID!) { resolveFinding(findingId: $id, resolution: "已整改") { __typename } }`;
      expect((await graphql(url, RESOLVE_FINDING, { id: late[0] })).data?.resolveFinding.__typename).toBe('FindingPayload');
      await until('finding-overdue', (a) => a.some((x) => x.subjectId === late[0] && x.status === 'RESOLVED'));
    });

    it('a line halted for more than 30 minutes raises, one halted 28 minutes does not', async () => {
      await sql(`UPDATE "ProductionLine" SET status = 'HALTED', "statusChangedAt" = $1 WHERE id = 'pingguang-line-1'`, [at(31)]);
      await sql(`UPDATE "ProductionLine" SET status = 'HALTED', "statusChangedAt" = $1 WHERE id = 'mingren-mingkang-line-1'`, [at(28)]);
      const found = await until('line-halted', (a) => a.some(about(globalId('ProductionLine', 'pingguang-line-1'))));
      expect(found.filter(about(globalId('ProductionLine', 'mingren-mingkang-line-1')))).toEqual([]);
      await sql(`UPDATE "ProductionLine" SET status = 'PRODUCING' WHERE id = 'pingguang-line-1'`);
      await until('line-halted', (a) => a.every((x) => x.status === 'RESOLVED'));
    });

    it('output under 50 % of capacity over 4 hours raises, output at it does not', async () => {
      // yizhonghong lines: 50,000 a day, 8,333 in 4 hours; half is 4,167.
      const report = async (line: string, produced: number) => {
        await sql(
          `INSERT INTO "OutputReport" (id, "lineId", "periodStart", "periodEnd", produced, "passedQc", "reportedBy") VALUES ($1, $2, $3, $4, $5, $5, 'test')`,
          [randomUUID(), line, at(180), at(60), produced],
        );
      };
      await report('yizhonghong-line-1', 4100);
      await report('yizhonghong-line-2', 4200);
      const found = await until('output-under-target', (a) => a.some(about(globalId('ProductionLine', 'yizhonghong-line-1'))));
      expect(found.filter(about(globalId('ProductionLine', 'yizhonghong-line-2')))).toEqual([]);
      expect(JSON.parse(found[0].details)).toMatchObject({ produced: 4100, target: 8333 });
    });

    it('stock low: an allocation leaving stock at the threshold raises nothing, one unit more raises an alert naming the allocation', async () => {
      const STOCK = `{ zoneSummary { stock { product { slug } stock } } }`;
      const ALLOCATE = `mutation($quantity: Int!, $key: String!) { allocateSupplies(input: { productId: "${globalId('Product', 'medical-mask')}", quantity: $quantity,
        source: STOCK, destination: CITY, idempotencyKey: $key }) { __typename ... on AllocationPayload { allocation { id } } ... on Error { code message } } }`;
      const stock = async () => ((await graphql(url, STOCK)).data!.zoneSummary.stock as any[]).find((s) => s.product.slug === 'medical-mask').stock as number;
      const before = await stock();
      expect(before).toBeGreaterThan(2000);
      await updateRule('stock-low', { cooldownMinutes: 0 });
      await setSafetyLevel('medical-mask', 2000);
      const allocate = async (quantity: number) => {
        const response = await graphql(url, ALLOCATE, { quantity, key: randomUUID() });
        expect(response.data?.allocateSupplies.__typename, JSON.stringify(response)).toBe('AllocationPayload');
        return response.data!.allocateSupplies.allocation.id as string;
      };
      const atThreshold = await allocate(before - 2000);
      const below = await allocate(1);
      const found = await until('stock-low', (a) => a.some(about(below)));
      expect(found.filter(about(atThreshold))).toEqual([]);
      const alert = found.find(about(below));
      expect(alert).toMatchObject({ subjectType: 'Allocation', status: 'OPEN' });
      expect(JSON.parse(alert.details)).toMatchObject({ quantity: 1, stockBefore: 2000, stockAfter: 1999, threshold: 2000 });
      expect(alert.message).toContain('后库存将为 1999，低于 2000');
      // The product's own alert says the state; both clear when the safety level is lowered below the stock.
      expect(found.some(about(globalId('Product', 'medical-mask')))).toBe(true);
      await setSafetyLevel('medical-mask', 1000);
      await until('stock-low', (a) => a.filter((x) => about(below)(x) || about(globalId('Product', 'medical-mask'))(x)).every((x) => x.status === 'RESOLVED'));
    });
  });

  describe('suspicious figures', () => {
    it('flags a report far outside the same hour of the last 14 days, not one inside it, and keeps both', async () => {
      const hour = Date.parse(at(60 * 24)) - (Date.parse(at(60 * 24)) % 3_600_000);
      for (let day = 1; day <= 8; day++) {
        const start = new Date(hour - day * 86_400_000);
        await sql(
          `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "reportedBy") VALUES ($1, 'lubao-market', $2, $3, $4, 'test')`,
          [randomUUID(), start, new Date(start.getTime() + 3_600_000), 100 + (day % 3) * 5],
        );
      }
      const report = async (peopleScreened: number, start: number) =>
        reportCounts(url, {
          checkpointId: globalId('Checkpoint', 'lubao-market'),
          periodStart: new Date(start).toISOString(),
          periodEnd: new Date(start + 1_800_000).toISOString(),
          peopleScreened,
          idempotencyKey: randomUUID(),
        } as any);
      expect((await report(108, hour)).__typename).toBe('CheckpointReportPayload');
      expect((await report(900, hour + 1_800_000)).__typename).toBe('CheckpointReportPayload');
      const found = await until('suspicious-figures', (a) => a.length > 0);
      expect(found).toHaveLength(1);
      expect(JSON.parse(found[0].details)).toMatchObject({ figure: 'peopleScreened', value: 900, samples: 9 });
    });
  });

  describe('suspicious figures at the limit', () => {
    it('a modified z-score of 3.37 is kept quiet, 3.51 is flagged (limit 3.5)', async () => {
      // History 100, 105 or 110 at this hour on 8 days: median 105, MAD 5, so z = 0.6745 (x − 105) / 5
      // is 3.372 for 130 and 3.507 for 131. 130 joins the history of 131 and moves neither.
      const hour = Date.parse(at(60 * 24)) - (Date.parse(at(60 * 24)) % 3_600_000);
      for (let day = 1; day <= 8; day++) {
        const start = new Date(hour - day * 86_400_000);
        await sql(
          `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "reportedBy") VALUES ($1, 'jinshan-gate', $2, $3, $4, 'test')`,
          [randomUUID(), start, new Date(start.getTime() + 1_800_000), 100 + (day % 3) * 5],
        );
      }
      const report = async (peopleScreened: number, start: number) =>
        reportCounts(url, {
          checkpointId: globalId('Checkpoint', 'jinshan-gate'),
          periodStart: new Date(start).toISOString(),
          periodEnd: new Date(start + 1_800_000).toISOString(),
          peopleScreened,
          idempotencyKey: randomUUID(),
        } as any);
      const jinshan = about(globalId('Checkpoint', 'jinshan-gate'));
      expect((await report(130, hour)).__typename).toBe('CheckpointReportPayload');
      expect((await report(131, hour + 86_400_000)).__typename).toBe('CheckpointReportPayload');
      // Evaluated in outbox order: once 131's alert exists, 130 was looked at.
      const found = (await until('suspicious-figures', (a) => a.some(jinshan))).filter(jinshan);
      expect(found).toHaveLength(1);
      expect(JSON.parse(found[0].details)).toMatchObject({ value: 131, modifiedZ: 3.51, samples: 9 });
    });
  });

  describe('cool-down', () => {
    it('a rule in its cool-down raises no new alert for the same subject; without one it does', async () => {
      const zhongyuan = globalId('Checkpoint', 'zhongyuan-road-exit');
      const feverAt = () => reportCounts(url, countsInput({ checkpoint: 'zhongyuan-road-exit', now: clock.now(), peopleScreened: 10, feverCases: 1 }));
      expect((await updateRule('fever-at-entry', { cooldownMinutes: 60 })).rule.cooldownMinutes).toBe(60);
      try {
        await feverAt();
        await until('fever-at-entry', (a) => a.some(about(zhongyuan)));
        await feverAt();
        await feverAt();
        // The evaluator's recorded position passes the last report: both were looked at.
        const seq = (await sql(`SELECT MAX(seq)::text AS seq FROM "Event" WHERE type = 'checkpointReport:reported'`))[0]!.seq as string;
        for (const deadline = Date.now() + 10_000; ; await sleep(100)) {
          const [cursor] = await sql(`SELECT seq::text AS seq FROM "AlertCursor"`);
          if (BigInt(cursor!.seq) >= BigInt(seq)) break;
          if (Date.now() > deadline) throw new Error('the evaluator did not get past the reports');
        }
        expect((await alerts('fever-at-entry')).filter(about(zhongyuan))).toHaveLength(1);
      } finally {
        await updateRule('fever-at-entry', { cooldownMinutes: 0 });
      }
      await feverAt();
      await until('fever-at-entry', (a) => a.filter(about(zhongyuan)).length === 2);
    });
  });

  describe('personal data on every transport', () => {
    const PARTNER_ALERTS = Object.entries(manifest).find(([, q]) => q.includes('PartnerAlerts'))!;
    const SUBSCRIBE = `subscription { alerts { kind alerts { id kind message messageEn details isolationCase { personName phone } } } }`;

    /** The first result of an operation over a transport, as text (for the absence of the name and phone). */
    async function first(transport: 'http' | 'ws' | 'sse', token: string, document: string, extensions?: unknown): Promise<string> {
      if (transport === 'ws') {
        const client = wsClient(url, { token });
        const stream = collect(client, document);
        try {
          await Promise.race([stream.until(1, 10_000), stream.completed]);
          return JSON.stringify({ values: stream.values, errors: stream.errors });
        } finally {
          stream.dispose();
          await client.dispose();
        }
      }
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: transport === 'sse' ? 'text/event-stream' : 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify(extensions ? { extensions } : { query: document }),
      });
      if (transport === 'http') return response.text();
      const reader = response.body!.getReader();
      let text = '';
      while (!/^data: .*$/m.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      return text;
    }

    it('display, analyst and partner never receive the name or phone of an isolation alert, over HTTP, WebSocket or SSE', async () => {
      const isolation = (await alerts('isolation-fever')).length + (await alerts('isolation-no-check')).length;
      expect(isolation).toBeGreaterThan(0);
      tokens.partner = await createToken({ DATABASE_URL: database.url }, 'partner');
      const QUERY = `{ alerts(first: 500) { edges { node { id message details isolationCase { personName phone } } } } }`;
      for (const role of ['display', 'analyst']) {
        for (const transport of ['http', 'ws', 'sse'] as const) {
          const text = await first(transport, tokens[role]!, transport === 'http' ? QUERY : SUBSCRIBE);
          expect(text, `${role} over ${transport}`).toContain('居家隔离人员');
          expect(text, `${role} over ${transport}`).toContain('FORBIDDEN');
          expect(text).not.toContain('测试张三');
          expect(text).not.toContain('139-0000-1234');
        }
      }
      const partner = await first('http', tokens.partner, '', { persistedQuery: { version: 1, sha256Hash: PARTNER_ALERTS[0] } });
      expect(partner).toContain('居家隔离人员');
      expect(partner).not.toContain('测试张三');
      expect(partner).not.toContain('139-0000-1234');
      const partnerFreeText = await first('http', tokens.partner, QUERY);
      expect(partnerFreeText).toContain('PERSISTED_QUERY_ONLY');
      // Health staff of the area do get them, on the same operation.
      expect(await first('ws', tokens.health!, SUBSCRIBE)).toContain('测试张三');
    });
  });

  describe('live', () => {
    it('a display subscriber gets the open alerts first, then a new alert within 2 s, without personal data', async () => {
      const client = wsClient(url, { token: tokens.display });
      const stream = collect(client, `subscription { alerts(minSeverity: HIGH) { kind asOfSeq alerts { id kind severity status message } } }`, {}, (d) => d.alerts);
      const [snapshot] = await stream.until(1);
      expect(snapshot.kind).toBe('SNAPSHOT');
      expect(snapshot.alerts.every((a: any) => a.severity === 'HIGH' && a.status !== 'RESOLVED')).toBe(true);
      const sent = Date.now();
      await reportCounts(url, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 20, feverCases: 3 }));
      const raised = await stream.waitFor((u) => u.kind === 'RAISED' && u.alerts[0].message.includes('3 人'));
      expect(Date.now() - sent).toBeLessThan(2000);
      expect(BigInt(raised.asOfSeq)).toBeGreaterThan(BigInt(snapshot.asOfSeq));
      expect(stream.errors).toEqual([]);
      stream.dispose();
      await client.dispose();
    });

    it("an operator's subscription carries the alerts of its own sites only", async () => {
      const client = wsClient(url, { token: tokens.operator });
      const stream = collect(client, `subscription { alerts { kind alerts { subjectId message } } }`, {}, (d) => d.alerts);
      const [snapshot] = await stream.until(1);
      expect(snapshot.alerts.every((a: any) => a.subjectId === globalId('Checkpoint', 'yingbin-road-exit'))).toBe(true);
      await reportCounts(url, countsInput({ checkpoint: 'zhongyuan-road-exit', now: clock.now(), peopleScreened: 10, feverCases: 5 }));
      await reportCounts(url, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 10, feverCases: 6 }));
      await stream.waitFor((u) => u.kind === 'RAISED' && u.alerts[0].message.includes('6 人'));
      const raised = stream.values.filter((u) => u.kind === 'RAISED').flatMap((u) => u.alerts);
      expect(raised.every((a: any) => a.subjectId === globalId('Checkpoint', 'yingbin-road-exit'))).toBe(true);
      stream.dispose();
      await client.dispose();
    });
  });
});

describe.skipIf(!(await postgresReachable()))('alerts across midnight', () => {
  // Clock at 00:20 local: the silence began yesterday evening; the 10:00 health-check deadline is hours away.
  let database: TestDatabase;
  let server: RunningServer;
  let clock: ReturnType<typeof pinnedClock>;
  const at = (minutesAgo: number) => new Date(clock.now() - minutesAgo * 60_000).toISOString();

  beforeAll(async () => {
    database = await createTestDatabase('alerts_midnight');
    clock = pinnedClock('00:20');
    server = await startServer({ DATABASE_URL: database.url, FANGKONG_CLOCK_START: clock.start, FANGKONG_ALERT_SWEEP_MS: '300' });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('a site silent since 22:00 yesterday is silent at 00:20; a case with no check yet today raises nothing before 10:00', async () => {
    const report = await reportCounts(server.graphqlUrl, {
      checkpointId: globalId('Checkpoint', 'zhongyuan-road-exit'),
      periodStart: at(200),
      periodEnd: at(140),
      peopleScreened: 12,
      idempotencyKey: randomUUID(),
    } as any);
    expect(report.__typename).toBe('CheckpointReportPayload');
    const OPEN_CASE = `mutation($startedAt: DateTime!) { openIsolationCase(compoundId: "${globalId('Area', 'hpu-binhe')}", personName: "测试李四", phone: "139-0000-5678", reason: "returned from Hubei", startedAt: $startedAt) { __typename } }`;
    expect((await graphql(server.graphqlUrl, OPEN_CASE, { startedAt: at(60 * 48) })).data?.openIsolationCase.__typename).toBe('IsolationCasePayload');
    const byRule = async (ruleId: string) =>
      ((await graphql(server.graphqlUrl, ALERTS, { rule: rule(ruleId) })).data!.alerts.edges as any[]).map((e) => e.node);
    const deadline = Date.now() + 10_000;
    while (!(await byRule('silent-site')).some((a) => a.subjectId === globalId('Checkpoint', 'zhongyuan-road-exit'))) {
      if (Date.now() > deadline) throw new Error('no silent-site alert across midnight');
      await sleep(100);
    }
    await sleep(1000); // more sweeps
    expect(await byRule('isolation-no-check')).toEqual([]);
  });

  it('counts the open time of a night opening across midnight: 130 open minutes raise, 90 do not', async () => {
    // Open 23:00–01:00. One last reported at 00:10 yesterday (silent 50 min that night, 80 min tonight),
    // the other at 00:50 yesterday (10 + 80); both about 24 hours ago, inside a 48-hour look-back.
    const UPDATE = `mutation($parameters: String) { updateAlertRule(ruleId: "${rule('silent-site')}", parameters: $parameters) { __typename } }`;
    expect((await graphql(server.graphqlUrl, UPDATE, { parameters: JSON.stringify({ intervals: 2, lookbackHours: 48 }) })).data?.updateAlertRule.__typename).toBe('AlertRulePayload');
    for (const [site, endedMinutesAgo] of [['binhe-gate', 24 * 60 + 10], ['baida-supermarket', 23 * 60 + 30]] as const) {
      await query(database.url, `UPDATE "Checkpoint" SET "opensAtMinute" = 1380, "closesAtMinute" = 60 WHERE id = $1`, [site]);
      await query(database.url, `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "reportedBy") VALUES ($1, $2, $3, $4, 5, 'test')`, [
        randomUUID(),
        site,
        at(endedMinutesAgo + 30),
        at(endedMinutesAgo),
      ]);
    }
    const byRule = async () => ((await graphql(server.graphqlUrl, ALERTS, { rule: rule('silent-site') })).data!.alerts.edges as any[]).map((e) => e.node);
    const deadline = Date.now() + 10_000;
    let found = await byRule();
    while (!found.some((a) => a.subjectId === globalId('Checkpoint', 'binhe-gate'))) {
      if (Date.now() > deadline) throw new Error(`no silent-site alert for the night opening: ${JSON.stringify(found)}`);
      await sleep(100);
      found = await byRule();
    }
    // The server's clock started a moment after the test's: a minute either side.
    const { silentMinutes } = JSON.parse(found.find((a) => a.subjectId === globalId('Checkpoint', 'binhe-gate')).details);
    expect(silentMinutes).toBeGreaterThanOrEqual(129);
    expect(silentMinutes).toBeLessThanOrEqual(131);
    await sleep(1000); // more sweeps
    expect((await byRule()).filter((a) => a.subjectId === globalId('Checkpoint', 'baida-supermarket'))).toEqual([]);
  });
});
