import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { pinnedClock, shanghaiDay, type TestClock } from './support/clock.ts';
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
    server = await startServer({ ...env, FANGKONG_CLOCK_START: clock.start });
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
    expect(Object.keys(document.paths).sort()).toEqual(['/alerts', '/area-day-figures', '/checkpoint-series', '/checkpoints', '/production', '/zone-summary']);
    expect(document.paths['/zone-summary']!.get.operationId).toBe('PartnerZoneSummary');
    expect(document.paths['/checkpoint-series']!.get.parameters.map((p) => [p.name, p.required])).toEqual([
      ['from', true],
      ['to', true],
      ['bucket', true],
    ]);
  });

  it('answers what GraphQL answers, for every route', async () => {
    const from = `${today}T00:00:00+08:00`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const cases: [string, string, Record<string, unknown>, string][] = [
      [`/zone-summary?day=${today}`, 'PartnerZoneSummary', { day: today }, 'zoneSummary'],
      ['/checkpoints', 'PartnerCheckpoints', {}, 'checkpoints'],
      [`/checkpoint-series?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&bucket=HOUR`, 'PartnerCheckpointSeries', { from, to, bucket: 'HOUR' }, 'checkpointSeries'],
      [`/production?day=${today}`, 'PartnerProduction', { day: today }, 'productionLines'],
      ['/alerts?status=OPEN,ACKNOWLEDGED', 'PartnerAlerts', { status: ['OPEN', 'ACKNOWLEDGED'] }, 'alerts'],
    ];
    for (const [path, name, variables, field] of cases) {
      const response = await rest(path);
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      const viaGraphql = await asPartner(operation(name), variables);
      expect(viaGraphql.errors, name).toBeUndefined();
      // `asOf` is when the figures were read: the two reads differ by that moment only.
      const withoutReadTime = (value: any) => (value && typeof value === 'object' && 'asOf' in value ? { ...value, asOf: undefined } : value);
      expect(withoutReadTime(body), path).toEqual(withoutReadTime(viaGraphql.data![field]));
    }
    const summary = (await (await rest(`/zone-summary?day=${today}`)).json()) as { checkpointTotals: { peopleScreened: number; feverCases: number } };
    expect(summary.checkpointTotals).toMatchObject({ peopleScreened: 120, feverCases: 3 });
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

  it('says what is wrong with a request', async () => {
    const unknownParam = await rest('/zone-summary?date=2020-02-07');
    expect(unknownParam.status).toBe(400);
    expect(((await unknownParam.json()) as any).errors[0].message).toBe('unknown parameter "date"; this route takes day');
    const badDay = await rest('/zone-summary?day=2020-13-45');
    expect(badDay.status).toBe(400);
    const missing = await rest('/checkpoint-series?bucket=HOUR');
    expect(missing.status).toBe(400);
    expect((await rest('/no-such-route')).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/checkpoints`, { method: 'POST', headers: { authorization: `Bearer ${partner}` } })).status).toBe(405);
  });
});
