import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';
import { executeOver, type Transport } from './support/transports.ts';

const HOUR = 3_600_000;
const GATE = globalId('Checkpoint', 'linxigu-gate');
const LINXIGU = globalId('Area', 'changlv-linxigu');
const BINHE = globalId('Area', 'hpu-binhe');

const RECORD = `mutation($gate: ID!, $scans: [GateScanInput!]!) { recordGateScans(checkpointId: $gate, scans: $scans) {
  __typename ... on GateScanBatchPayload { stored duplicates results { idempotencyKey outcome verdict flagged } } ... on Error { code message } } }`;
const GATE_REPORTS = `query($gate: ID!, $super: Boolean) { node(id: $gate) { ... on Checkpoint { reports(first: 50, includeSuperseded: $super) { edges { node {
  id periodStart periodEnd peopleScreened feverCases source supersededAt correctionReason supersedes { id } } } } } } }`;

interface Scan {
  idempotencyKey: string;
  code: string;
  direction: 'IN' | 'OUT';
  temperature?: number | null;
  scannedAt: string;
}

describe('gate passes and scans (the 竹林路社区 pilot)', () => {
  const dir = tempDir('fangkong-hgate-');
  // The server's clock: yesterday (Asia/Shanghai) at 14:58:30, running on, so the hour ends while the test runs.
  const day = shanghaiDay(Date.now() - 24 * HOUR);
  const clockStart = `${day}T14:58:30+08:00`;
  const env = { FANGKONG_DATA_DIR: dir.path, FANGKONG_CLOCK_START: clockStart, FANGKONG_GATE_SETTLE_MS: '500' };
  let server: RunningServer;
  /** The server's clock minus this process's, read from the server once it runs. */
  let clockOffset = 0;
  const tokens: Record<string, string> = {};
  const codes: Record<string, string> = {};
  const passIds: Record<string, string> = {};
  let householdId = '';
  /** The server's "now". */
  const serverNow = () => Date.now() + clockOffset;
  const at = (localTime: string) => `${day}T${localTime}+08:00`;
  /** Now, or the last second of the 14:00 hour once it is over: scans of the test stay in that hour, whatever its pace. */
  const inTheTwoPmHour = (beforeMs = 0) => new Date(Math.min(serverNow(), Date.parse(at('14:59:59'))) - beforeMs).toISOString();
  const as = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const scan = (code: string, scannedAt: string, extra: Partial<Scan> = {}): Scan => ({ idempotencyKey: randomUUID(), code, direction: 'IN', temperature: 36.5, scannedAt, ...extra });
  const record = (scans: Scan[], role = 'operator') => graphql(server.graphqlUrl, RECORD, { gate: GATE, scans }, as(role));
  const currentReports = async () =>
    (await graphql(server.graphqlUrl, GATE_REPORTS, { gate: GATE, super: false })).data!.node.reports.edges.map((e: any) => e.node).filter((r: any) => r.source === 'GATE_SCAN');

  beforeAll(async () => {
    server = await startServer(env);
    tokens.admin = server.adminToken;
    const asked = Date.now();
    const clock = await graphql(server.graphqlUrl, `query($g: ID!) { gateScanCounts(checkpointId: $g) { asOf } }`, { g: GATE });
    clockOffset = Date.parse(clock.data!.gateScanCounts.asOf) - (asked + Date.now()) / 2;
    // Community staff: health tokens scoped to areas (README, Gate passes).
    tokens.community = await createToken(env, 'health', ['zhulinlu'], 'zhulinlu community');
    tokens.operator = await createToken(env, 'operator', ['linxigu-gate'], 'linxigu gate keeper');
    for (const role of ['analyst', 'display', 'partner', 'commander']) tokens[role] = await createToken(env, role);
    const household = await graphql(server.graphqlUrl, `mutation($c: ID!) { registerGateHousehold(compoundId: $c, room: "3-2-401") { ... on GateHouseholdPayload { household { id room } } } }`, { c: LINXIGU }, as('community'));
    householdId = household.data!.registerGateHousehold.household.id;
    const other = await graphql(server.graphqlUrl, `mutation($c: ID!) { registerGateHousehold(compoundId: $c, room: "1-1-101") { ... on GateHouseholdPayload { household { id } } } }`, { c: BINHE }, as('community'));
    const issue = async (name: string, household: string, holderName: string, holderPhone: string) => {
      const issued = await graphql(
        server.graphqlUrl,
        `mutation($h: ID!, $n: String!, $p: String!) { issueGatePass(householdId: $h, holderName: $n, holderPhone: $p) { __typename ... on GatePassPayload { pass { id code status } } } }`,
        { h: household, n: holderName, p: holderPhone },
        as('community'),
      );
      expect(issued.errors).toBeUndefined();
      codes[name] = issued.data!.issueGatePass.pass.code;
      passIds[name] = issued.data!.issueGatePass.pass.id;
    };
    await issue('li', householdId, '李居民', '139 0000 1111');
    await issue('wang', householdId, '王居民', '139 0000 2222');
    await issue('binhe', other.data!.registerGateHousehold.household.id, '赵居民', '139 0000 3333');
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  describe('passes', () => {
    it('are signed codes: printed in groups of four, judged VALID; a code with one character changed is UNKNOWN', async () => {
      expect(codes.li).toMatch(/^FKP(-[0-9A-Z]{4}){8}$/);
      const tampered = codes.li!.slice(0, -1) + (codes.li!.endsWith('0') ? '1' : '0');
      const result = await record([scan(codes.li!.toLowerCase(), at('10:05:00')), scan(tampered, at('10:06:00')), scan('FKP-NOT-A-PASS', at('10:07:00'))]);
      expect(result.data!.recordGateScans.results.map((r: any) => r.verdict)).toEqual(['VALID', 'UNKNOWN', 'UNKNOWN']);
      expect(result.data!.recordGateScans.results.map((r: any) => r.flagged)).toEqual([false, true, true]);
    });

    it('are refused to anyone but the compound’s community staff and admins', async () => {
      const query = `query($c: ID!) { gateHouseholds(compoundId: $c) { edges { node { room passes { holderName holderPhone code } } } } }`;
      const own = await graphql(server.graphqlUrl, query, { c: LINXIGU }, as('community'));
      expect(own.data!.gateHouseholds.edges[0].node.passes.map((p: any) => p.holderName)).toEqual(['李居民', '王居民']);
      const outside = await createToken(env, 'health', ['sujiazuo'], 'another township');
      const refused = await graphql(server.graphqlUrl, query, { c: LINXIGU }, { authorization: `Bearer ${outside}` });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const operatorIssue = await graphql(server.graphqlUrl, `mutation($h: ID!) { issueGatePass(householdId: $h, holderName: "x", holderPhone: "13900000000") { __typename } }`, { h: householdId }, as('operator'));
      expect(operatorIssue.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('are suspended while the holder is under home isolation, and active again when it ends', async () => {
      const status = async () =>
        (await graphql(server.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on GatePass { status ownStatus underIsolation } } }`, { id: passIds.wang }, as('community'))).data!.node;
      expect(await status()).toEqual({ status: 'ACTIVE', ownStatus: 'ACTIVE', underIsolation: false });
      const startedAt = inTheTwoPmHour(60_000);
      // The same phone written another way.
      const opened = await graphql(
        server.graphqlUrl,
        `mutation($c: ID!, $s: DateTime!) { openIsolationCase(compoundId: $c, personName: "王居民", phone: "+86 (139) 0000-2222", reason: "自湖北返乡", startedAt: $s) { ... on IsolationCasePayload { isolationCase { id } } } }`,
        { c: LINXIGU, s: startedAt },
        as('community'),
      );
      const caseId = opened.data!.openIsolationCase.isolationCase.id;
      expect(await status()).toEqual({ status: 'SUSPENDED', ownStatus: 'ACTIVE', underIsolation: true });
      // Scanned during the isolation: flagged, whenever it is uploaded.
      const during = inTheTwoPmHour(30_000);
      const flagged = await record([scan(codes.wang!, during, { direction: 'OUT' })]);
      expect(flagged.data!.recordGateScans.results[0]).toMatchObject({ verdict: 'SUSPENDED', flagged: true });
      // The phone's offline directory says so too (hashes only, no names).
      const directory = await graphql(server.graphqlUrl, `query($g: ID!) { gatePassDirectory(checkpointId: $g) { compoundId passes { codeHash compoundId status } } }`, { g: GATE }, as('operator'));
      expect(directory.data!.gatePassDirectory.compoundId).toBe('changlv-linxigu');
      expect(directory.data!.gatePassDirectory.passes.map((p: any) => p.status).sort()).toEqual(['ACTIVE', 'ACTIVE', 'SUSPENDED']);
      expect(JSON.stringify(directory.data)).not.toMatch(/居民|0000/);
      // An expressway exit has no directory: a bad argument, named (the fuzzer found it answered an internal error).
      const notAGate = await graphql(server.graphqlUrl, `query($g: ID!) { gatePassDirectory(checkpointId: $g) { compoundId } }`, { g: globalId('Checkpoint', 'yingbin-road-exit') });
      expect(notAGate.errors).toMatchObject([{ message: 'checkpointId: yingbin-road-exit is not a compound gate', extensions: { code: 'BAD_USER_INPUT' } }]);
      const closed = await graphql(
        server.graphqlUrl,
        `mutation($id: ID!, $e: DateTime!) { closeIsolationCase(caseId: $id, outcome: RELEASED, endedAt: $e) { __typename } }`,
        { id: caseId, e: new Date(serverNow() - 1000).toISOString() },
        as('community'),
      );
      expect(closed.data!.closeIsolationCase.__typename).toBe('IsolationCasePayload');
      expect(await status()).toEqual({ status: 'ACTIVE', ownStatus: 'ACTIVE', underIsolation: false });
      // A scan from before the release, uploaded after it, is still judged at its own instant.
      const late = await record([scan(codes.wang!, during, { direction: 'IN' })]);
      expect(late.data!.recordGateScans.results[0].verdict).toBe('SUSPENDED');
    });

    it('can be revoked: a scan afterwards is flagged, and a revoked pass stays revoked', async () => {
      const pass = await graphql(server.graphqlUrl, `mutation($c: ID!) { registerGateHousehold(compoundId: $c, room: "9-9-909") { ... on GateHouseholdPayload { household { id } } } }`, { c: LINXIGU }, as('community'));
      const issued = await graphql(
        server.graphqlUrl,
        `mutation($h: ID!) { issueGatePass(householdId: $h, holderName: "搬走的住户", holderPhone: "13900009999") { ... on GatePassPayload { pass { id code } } } }`,
        { h: pass.data!.registerGateHousehold.household.id },
        as('community'),
      );
      const { id, code } = issued.data!.issueGatePass.pass;
      const revoke = `mutation($id: ID!, $s: GatePassStatus!) { setGatePassStatus(passId: $id, status: $s, reason: "搬离小区") { __typename ... on GatePassPayload { pass { status } } ... on Error { code } } }`;
      expect((await graphql(server.graphqlUrl, revoke, { id, s: 'REVOKED' }, as('community'))).data!.setGatePassStatus.pass.status).toBe('REVOKED');
      expect((await graphql(server.graphqlUrl, revoke, { id, s: 'ACTIVE' }, as('community'))).data!.setGatePassStatus.code).toBe('INVALID_STATE');
      const result = await record([scan(code, inTheTwoPmHour())]);
      expect(result.data!.recordGateScans.results[0]).toMatchObject({ verdict: 'REVOKED', flagged: true });
    });
  });

  describe('scans and the gate’s derived reports', () => {
    it('a batch for a closed hour becomes one GATE_SCAN report; the same batch again counts once; a late batch corrects it', async () => {
      const batch = [
        scan(codes.li!, at('12:10:00')),
        scan(codes.wang!, at('12:20:00'), { temperature: 37.8 }),
        scan(codes.wang!, at('12:40:00'), { direction: 'OUT', temperature: null }),
        scan(codes.binhe!, at('12:45:00')),
      ];
      const first = await record(batch);
      expect(first.data!.recordGateScans).toMatchObject({ stored: 4, duplicates: 0 });
      expect(first.data!.recordGateScans.results.map((r: any) => r.verdict)).toEqual(['VALID', 'VALID', 'VALID', 'OTHER_COMPOUND']);
      const again = await record(batch);
      expect(again.data!.recordGateScans).toMatchObject({ stored: 0, duplicates: 4 });
      // A key reused for another scan is refused, the rest of the batch is not.
      const reused = await record([{ ...batch[0]!, temperature: 36.9 }, scan(codes.li!, at('12:50:00'), { direction: 'OUT' })]);
      expect(reused.data!.recordGateScans.results.map((r: any) => r.outcome)).toEqual(['CONFLICT', 'STORED']);

      const noon = (await currentReports()).filter((r: any) => r.periodStart === new Date(at('12:00:00')).toISOString());
      expect(noon).toHaveLength(1);
      expect(noon[0]).toMatchObject({ periodEnd: new Date(at('13:00:00')).toISOString(), peopleScreened: 2, feverCases: 1, supersedes: null });

      const late = await record([scan(codes.li!, at('12:55:00'), { temperature: 36.7 })]);
      expect(late.data!.recordGateScans.stored).toBe(1);
      const corrected = (await currentReports()).filter((r: any) => r.periodStart === new Date(at('12:00:00')).toISOString());
      expect(corrected).toHaveLength(1);
      expect(corrected[0]).toMatchObject({ peopleScreened: 3, feverCases: 1, supersedes: { id: noon[0].id } });
      expect(corrected[0].correctionReason).toMatch(/2 → 3/);
    });

    it('a late batch for a day approved for the compound changes neither its reports nor its figures', async () => {
      const previous = shanghaiDay(Date.parse(at('12:00:00')) - 24 * HOUR);
      const figures = async () =>
        (await graphql(server.graphqlUrl, `query($d: Date!, $c: ID!) { zoneSummary(day: $d, within: $c) { checkpointTotals { peopleScreened reports } } }`, { d: previous, c: LINXIGU })).data!
          .zoneSummary.checkpointTotals;
      expect((await record([scan(codes.li!, `${previous}T10:10:00+08:00`)])).data!.recordGateScans.stored).toBe(1);
      expect(await figures()).toEqual({ peopleScreened: 1, reports: 1 });
      const approve = await graphql(server.graphqlUrl, `mutation($c: ID!, $d: Date!) { approveDay(areaId: $c, day: $d) { __typename } }`, { c: LINXIGU, d: previous }, as('commander'));
      expect(approve.data!.approveDay.__typename).toBe('DayApprovalPayload');
      // Stored (nothing acknowledged is lost), not counted while the day stands approved.
      expect((await record([scan(codes.li!, `${previous}T10:20:00+08:00`)])).data!.recordGateScans.stored).toBe(1);
      expect(await figures()).toEqual({ peopleScreened: 1, reports: 1 });
    });

    it('the hour running moves the wall’s figures at each upload, and its report replaces those scans exactly when it ends', async () => {
      const display = wsClient(server.url, { token: tokens.display });
      const counts = collect(display, `subscription($g: ID!) { gateScanCounts(checkpointId: $g) { counted fever notYetReported flagged asOfSeq } }`, { g: GATE }, (d) => d.gateScanCounts);
      const checkpoint = collect(display, `subscription($g: [ID!]) { checkpointCounts(checkpointIds: $g) { today { peopleScreened feverCases reports } } }`, { g: [GATE] }, (d) => d.checkpointCounts.today);
      // The wall's compound figures: the zone summary limited to the compound, and its row by area.
      const compound = collect(
        display,
        `subscription($c: ID!) { zoneSummary(within: $c) { asOfSeq checkpointTotals { peopleScreened feverCases } byArea(level: COMPOUND) { area { id } counts { peopleScreened } } } }`,
        { c: LINXIGU },
        (d) => ({ ...d.zoneSummary.checkpointTotals, asOfSeq: BigInt(d.zoneSummary.asOfSeq), byArea: d.zoneSummary.byArea.find((a: any) => a.area.id === LINXIGU)?.counts.peopleScreened }),
      );
      try {
        const before = (await counts.until(1))[0]!;
        const wall = (await compound.until(1))[0]!;
        const gate = (await checkpoint.until(1))[0]!;
        // Before: reports and scans not yet in one are the same figures; the compound's only gate is this one.
        expect(gate).toMatchObject({ peopleScreened: before.counted, feverCases: before.fever });
        expect(wall).toMatchObject({ peopleScreened: before.counted, feverCases: before.fever, byArea: before.counted });
        // Scans of the hour running (14:59 at the latest, so they belong to the hour before 15:00), one batch at a time.
        for (const [i, temperature] of [38.1, 36.6].entries()) {
          const sent = Date.now();
          const result = await record([scan(codes.li!, inTheTwoPmHour(), { temperature })]);
          expect(result.data!.recordGateScans.results[0].verdict).toBe('VALID');
          const expected = { peopleScreened: before.counted + i + 1, feverCases: before.fever + 1 };
          await Promise.all([
            checkpoint.waitFor((c) => c.peopleScreened === expected.peopleScreened, 2_000),
            compound.waitFor((c) => c.peopleScreened === expected.peopleScreened && c.byArea === expected.peopleScreened, 2_000),
            counts.waitFor((c) => c.counted === expected.peopleScreened, 2_000),
          ]);
          expect(Date.now() - sent).toBeLessThan(2_500);
          expect(checkpoint.values.at(-1)).toMatchObject(expected);
          expect(compound.values.at(-1)).toMatchObject(expected);
        }
        const live = { peopleScreened: before.counted + 2, feverCases: before.fever + 1 };
        // Not reports yet: the scans count, the report count does not move.
        expect(checkpoint.values.at(-1)!.reports).toBe(gate.reports);
        const handover = { checkpoint: checkpoint.values.length, compound: compound.values.length };
        // When 15:00 passes on the server's clock, the settler writes the 14:00 report (every 500 ms here).
        const settled = await counts.waitFor((c) => c.notYetReported === 0, 150_000);
        await checkpoint.waitFor((c) => c.reports === gate.reports + 1);
        await compound.waitFor((c) => c.asOfSeq >= BigInt(settled.asOfSeq));
        const fourteen = (await currentReports()).find((r: any) => r.periodStart === new Date(at('14:00:00')).toISOString());
        expect(fourteen).toMatchObject({ peopleScreened: 2, feverCases: 1, source: 'GATE_SCAN' });
        // Across the handover every value the wall was sent is the same totals: never the scans and the report, never neither.
        for (const value of checkpoint.values.slice(handover.checkpoint - 1)) expect(value).toMatchObject(live);
        for (const value of compound.values.slice(handover.compound - 1)) expect(value).toMatchObject({ ...live, byArea: live.peopleScreened });
        // And they are the reports': every VALID inward scan of the day, once.
        const reports = (await currentReports()).filter((r: any) => r.periodStart >= new Date(at('00:00:00')).toISOString());
        expect(reports.reduce((sum: number, r: any) => sum + r.peopleScreened, 0)).toBe(live.peopleScreened);
        expect(checkpoint.errors).toEqual([]);
        expect(compound.errors).toEqual([]);
      } finally {
        counts.dispose();
        checkpoint.dispose();
        compound.dispose();
        await display.dispose();
      }
    }, 200_000);
  });

  describe('anomalies', () => {
    it('lists flagged scans and a pass scanned too often; the pass only for its community staff', async () => {
      const burst = Array.from({ length: 6 }, (_, i) => scan(codes.li!, at(`11:0${i}:00`), { direction: i % 2 ? 'OUT' : 'IN' }));
      expect((await record(burst)).data!.recordGateScans.stored).toBe(6);
      const query = `query($from: DateTime!, $to: DateTime!) { gateScanAnomalies(from: $from, to: $to, frequentPerHour: 6) { kind scans at checkpoint { slug } pass { holderName } } }`;
      const window = { from: at('00:00:00'), to: new Date(serverNow() + 60_000).toISOString() };
      const analyst = await graphql(server.graphqlUrl, query, window, as('analyst'));
      expect(analyst.errors).toBeUndefined();
      const kinds = analyst.data!.gateScanAnomalies.map((a: any) => a.kind);
      for (const kind of ['SUSPENDED_PASS_USED', 'REVOKED_PASS_USED', 'OTHER_COMPOUND', 'UNKNOWN_CODE', 'FREQUENT_PASS']) expect(kinds).toContain(kind);
      expect(analyst.data!.gateScanAnomalies.find((a: any) => a.kind === 'FREQUENT_PASS')).toMatchObject({ scans: 6, at: new Date(at('11:00:00')).toISOString(), pass: null });
      expect(JSON.stringify(analyst.data)).not.toMatch(/居民/);
      const community = await graphql(server.graphqlUrl, query, window, as('community'));
      expect(community.data!.gateScanAnomalies.find((a: any) => a.kind === 'FREQUENT_PASS').pass).toEqual({ holderName: '李居民' });
      expect((await graphql(server.graphqlUrl, query, window, as('display'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('anomaly alerts', () => {
    const ALERTS = `query($rule: ID) { alerts(rule: $rule, first: 500) { edges { node { kind severity subjectId occurrence message messageEn details area { id } gatePass { holderName holderPhone household { room } } } } } }`;
    const alertsOf = async (ruleId: string, role = 'admin'): Promise<any[]> => {
      const response = await graphql(server.graphqlUrl, ALERTS, { rule: globalId('AlertRule', ruleId) }, as(role));
      expect(response.errors).toBeUndefined();
      return response.data!.alerts.edges.map((e: any) => ({ ...e.node, details: JSON.parse(e.node.details) }));
    };
    /** Alerts of a rule about scans of the given local hour. */
    const inHour = (hour: string) => (a: any) => (a.details.scannedAt ?? a.details.windowStart ?? '').startsWith(new Date(at(`${hour}:00:00`)).toISOString().slice(0, 13));
    /** The evaluator looks at batches in order: once a marker batch's alert is raised, every batch before it has been looked at. */
    let markers = 0;
    const evaluated = async () => {
      const marker = scan(codes.binhe!, at(`07:${String(markers++).padStart(2, '0')}:00`));
      expect((await record([marker])).data!.recordGateScans.stored).toBe(1);
      const deadline = Date.now() + 15_000;
      for (;;) {
        if ((await alertsOf('gate-other-compound')).some((a) => a.details.scannedAt === new Date(marker.scannedAt).toISOString())) return;
        if (Date.now() > deadline) throw new Error('the marker batch raised no alert');
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    let suspendedPassId = '';

    it('a suspended pass and a pass of another compound each raise one alert per scan; the same batch again raises nothing', async () => {
      const household = await graphql(server.graphqlUrl, `mutation($c: ID!) { registerGateHousehold(compoundId: $c, room: "5-1-502") { ... on GateHouseholdPayload { household { id } } } }`, { c: LINXIGU }, as('community'));
      const issued = await graphql(
        server.graphqlUrl,
        `mutation($h: ID!) { issueGatePass(householdId: $h, holderName: "停用住户", holderPhone: "13900005555") { ... on GatePassPayload { pass { id code } } } }`,
        { h: household.data!.registerGateHousehold.household.id },
        as('community'),
      );
      const { id, code } = issued.data!.issueGatePass.pass;
      suspendedPassId = id;
      const suspend = await graphql(server.graphqlUrl, `mutation($id: ID!) { setGatePassStatus(passId: $id, status: SUSPENDED, reason: "欠费") { __typename } }`, { id }, as('community'));
      expect(suspend.data!.setGatePassStatus.__typename).toBe('GatePassPayload');
      // Suspended from now on: a scan of a moment later.
      const batch = [scan(code, new Date(serverNow() + 2_000).toISOString()), scan(codes.binhe!, at('09:20:00')), scan(codes.li!, at('09:30:00'))];
      expect((await record(batch)).data!.recordGateScans.results.map((r: any) => r.verdict)).toEqual(['SUSPENDED', 'OTHER_COMPOUND', 'VALID']);
      expect((await record(batch)).data!.recordGateScans.duplicates).toBe(3);
      await evaluated();
      expect((await record(batch)).data!.recordGateScans.duplicates).toBe(3);
      await evaluated();
      const suspended = (await alertsOf('gate-suspended-pass')).filter((a) => a.subjectId === id);
      expect(suspended).toHaveLength(1);
      expect(suspended[0]).toMatchObject({ kind: 'GATE_SUSPENDED_PASS', severity: 'HIGH', area: { id: LINXIGU }, gatePass: { holderName: '停用住户' } });
      expect(suspended[0].message).toContain('常绿·林溪谷');
      expect(suspended[0].details).toMatchObject({ anomaly: 'SUSPENDED_PASS_USED', compoundId: 'changlv-linxigu', passId: expect.any(String), householdId: expect.any(String) });
      const other = (await alertsOf('gate-other-compound')).filter(inHour('09'));
      expect(other).toHaveLength(1);
      expect(other[0]).toMatchObject({ kind: 'GATE_OTHER_COMPOUND', details: { anomaly: 'OTHER_COMPOUND', compoundId: 'changlv-linxigu', passCompoundId: 'hpu-binhe' } });
      expect(other[0].messageEn).toContain('of ');
      // The compound's community staff see it, with the holder; health staff elsewhere do not.
      const community = (await alertsOf('gate-suspended-pass', 'community')).filter((a) => a.subjectId === id);
      expect(community).toMatchObject([{ gatePass: { holderName: '停用住户', holderPhone: '13900005555', household: { room: '5-1-502' } } }]);
      const elsewhere = await createToken(env, 'health', ['sujiazuo'], 'another township');
      const hidden = await graphql(server.graphqlUrl, ALERTS, { rule: globalId('AlertRule', 'gate-suspended-pass') }, { authorization: `Bearer ${elsewhere}` });
      expect(hidden.data?.alerts.edges ?? []).toEqual([]);
      expect(JSON.stringify(hidden)).not.toMatch(/停用住户/);
      // A valid scan raises nothing.
      expect((await alertsOf('gate-suspended-pass')).filter(inHour('09'))).toEqual([]);
    });

    it('a pass scanned minScans times within a window raises one alert; once fewer raises none; more in the window nothing more', async () => {
      const update = await graphql(
        server.graphqlUrl,
        `mutation($id: ID!, $p: String!) { updateAlertRule(ruleId: $id, parameters: $p) { __typename ... on AlertRulePayload { rule { parameters } } } }`,
        { id: globalId('AlertRule', 'gate-frequent-pass'), p: JSON.stringify({ minScans: 4, windowMinutes: 30 }) },
      );
      expect(update.data!.updateAlertRule.__typename).toBe('AlertRulePayload');
      const frequent = async () => (await alertsOf('gate-frequent-pass')).filter(inHour('08'));
      // Three in 08:00–08:30, three in 08:30–09:00: below the threshold in each window.
      const three = [1, 10, 20].map((m) => scan(codes.li!, at(`08:${String(m).padStart(2, '0')}:00`), { direction: m === 10 ? 'OUT' : 'IN' }));
      const threeLater = [31, 40, 50].map((m) => scan(codes.li!, at(`08:${m}:00`)));
      expect((await record([...three, ...threeLater])).data!.recordGateScans.stored).toBe(6);
      await evaluated();
      expect(await frequent()).toEqual([]);
      // The fourth in the first window, in a batch of its own: one alert.
      const fourth = [scan(codes.li!, at('08:25:00'))];
      expect((await record(fourth)).data!.recordGateScans.stored).toBe(1);
      await evaluated();
      const raised = await frequent();
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ kind: 'GATE_FREQUENT_PASS', details: { anomaly: 'FREQUENT_PASS', scans: 4, windowStart: new Date(at('08:00:00')).toISOString(), passId: expect.any(String) } });
      // Sent again, and a fifth in the same window: still one.
      expect((await record(fourth)).data!.recordGateScans.duplicates).toBe(1);
      expect((await record([scan(codes.li!, at('08:29:00'))])).data!.recordGateScans.stored).toBe(1);
      await evaluated();
      expect(await frequent()).toHaveLength(1);
    });

    for (const transport of ['http', 'ws', 'sse'] as Transport[]) {
      it(`names no holder, phone or room to display, partner or analyst over ${transport.toUpperCase()}`, async () => {
        for (const role of ['display', 'analyst', 'partner']) {
          const result = await executeOver(server, transport, tokens[role]!, ALERTS, { rule: globalId('AlertRule', 'gate-suspended-pass') });
          expect(JSON.stringify(result)).not.toMatch(/停用住户|13900005555|5-1-502/);
          if (role === 'partner') {
            expect(result.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
            continue;
          }
          expect(result.errors, role).toBeUndefined();
          const mine = result.data!.alerts.edges.map((e: any) => e.node).filter((a: any) => a.subjectId === suspendedPassId);
          expect(mine, role).toHaveLength(1);
          expect(mine[0].gatePass).toBeNull();
          expect(JSON.parse(mine[0].details).passId).toBeTruthy();
        }
      });
    }
  });

  describe('personal data on every transport', () => {
    const PERSONAL = {
      households: `query($c: ID!) { gateHouseholds(compoundId: $c) { edges { node { room } } } }`,
      record: RECORD,
    };
    for (const transport of ['http', 'ws', 'sse'] as Transport[]) {
      it(`display, partner and analyst get no households, holders or passes over ${transport.toUpperCase()}; counts they may read`, async () => {
        for (const role of ['display', 'partner', 'analyst']) {
          const token = tokens[role]!;
          const households = await executeOver(server, transport, token, PERSONAL.households, { c: LINXIGU });
          expect(households.errors?.[0]?.extensions?.code, `${role}: ${JSON.stringify(households)}`).toMatch(/FORBIDDEN|PERSISTED_QUERY_ONLY/);
          expect(JSON.stringify(households)).not.toMatch(/3-2-401/);
          const node = await executeOver(server, transport, token, `query($id: ID!) { node(id: $id) { id ... on GatePass { holderName } } }`, { id: passIds.li });
          if (role === 'partner') expect(node.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
          else expect(node.data?.node).toBeNull();
          expect(JSON.stringify(node)).not.toMatch(/李居民/);
          const scanned = await executeOver(server, transport, token, RECORD, { gate: GATE, scans: [scan(codes.li!, inTheTwoPmHour())] });
          expect(scanned.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|PERSISTED_QUERY_ONLY/);
        }
        for (const role of ['display', 'analyst']) {
          const counts = await executeOver(server, transport, tokens[role]!, `query($g: ID!) { gateScanCounts(checkpointId: $g) { counted flagged } }`, { g: GATE });
          expect(counts.errors, role).toBeUndefined();
          expect(counts.data!.gateScanCounts.counted).toBeGreaterThan(0);
        }
      });
    }

    it('the event stream carries no name, phone, room or temperature', async () => {
      const analyst = wsClient(server.url, { token: tokens.analyst });
      const events = collect(analyst, `subscription { events(after: "0", types: [GATE_PASS_ISSUED, GATE_HOUSEHOLD_REGISTERED, GATE_SCANS_RECORDED]) { type payload } }`, {}, (d) => d.events);
      try {
        await events.waitFor((e) => e.type === 'GATE_SCANS_RECORDED');
        await events.until(6);
        expect(JSON.stringify(events.values)).not.toMatch(/居民|0000|3-2-401|37\.8/);
      } finally {
        events.dispose();
        await analyst.dispose();
      }
    });
  });
});
