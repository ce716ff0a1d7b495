// Supplies against need and isolation as counts (issue 16), through the API against a started server
// on PostgreSQL with its clock pinned to 10 February 2020 10:00 in the zone: admins set a product's
// safety level (others are refused, every change is audited, a restart's reference data keeps it),
// stock figures carry it with the day's flows city ↔ zone, and the zone summary counts isolation per
// community as the cases are, while display, analyst and partner tokens never read who.
import { randomUUID } from 'node:crypto';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

const PARTNER_ZONE_SUMMARY = Object.values(manifest as Record<string, string>).find((text) => text.startsWith('query PartnerZoneSummary'))!;

const CLOCK_START = '2020-02-10T10:00:00+08:00';
const at = (local: string) => new Date(`2020-02-${local}+08:00`).toISOString();

const SET_LEVEL = `mutation($productId: ID!, $safetyLevel: Int!) {
  setProductSafetyLevel(productId: $productId, safetyLevel: $safetyLevel) {
    __typename
    ... on ProductPayload { changed product { slug safetyLevel } }
    ... on Error { code message }
    ... on ValidationError { issues { field message } }
  }
}`;
const STOCK = `{ zoneSummary { stock { product { slug safetyLevel } stock safetyLevel belowSafetyLevel day { produced toCity toZone } } } }`;
const ISOLATION = `{ zoneSummary { peopleUnderIsolation isolation { underIsolation startedOnDay endedOnDay byCommunity { community { slug level } underIsolation startedOnDay endedOnDay } } } }`;
const OPEN = `mutation($compound: ID!, $startedAt: DateTime!) {
  openIsolationCase(compoundId: $compound, personName: "张某某", phone: "139 0391 0101", reason: "2020-02-01 自武汉返焦", startedAt: $startedAt) {
    __typename ... on IsolationCasePayload { isolationCase { id } } ... on Error { code message }
  }
}`;
const CLOSE = `mutation($id: ID!, $endedAt: DateTime!) {
  closeIsolationCase(caseId: $id, outcome: RELEASED, endedAt: $endedAt) { __typename ... on Error { code message } }
}`;
const CASES = `{ isolationCases(first: 500) { edges { node { id personName phone startedAt endedAt compound { slug parent { slug } } } } } }`;

describe.skipIf(!(await postgresReachable()))('supplies against need and isolation as counts', () => {
  let database: TestDatabase;
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const env = () => ({ DATABASE_URL: database.url, FANGKONG_CLOCK_START: CLOCK_START });
  const as = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const stockOf = async (slug: string) => {
    const response = await graphql(server.graphqlUrl, STOCK);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return (response.data!.zoneSummary.stock as any[]).find((s) => s.product.slug === slug);
  };

  beforeAll(async () => {
    database = await createTestDatabase('supplies_isolation');
    server = await startServer(env());
    for (const role of ['commander', 'analyst', 'display', 'partner']) tokens[role] = await createToken(env(), role);
    tokens.operator = await createToken(env(), 'operator', ['fengshou-road']);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('admins set a safety level; other roles are refused with a coded error, bad levels with typed ones; every change is audited and a restart keeps it', async () => {
    // The seed's levels: masks and suits as the stock-low rule had them.
    expect(await stockOf('n95-mask')).toMatchObject({ safetyLevel: 500, stock: 0, belowSafetyLevel: true, product: { safetyLevel: 500 } });
    expect(await stockOf('food')).toMatchObject({ safetyLevel: 0, stock: 0, belowSafetyLevel: false });

    const set = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'n95-mask'), safetyLevel: 800 });
    expect(set.data?.setProductSafetyLevel).toEqual({ __typename: 'ProductPayload', changed: true, product: { slug: 'n95-mask', safetyLevel: 800 } });
    const again = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'n95-mask'), safetyLevel: 800 });
    expect(again.data?.setProductSafetyLevel).toMatchObject({ changed: false });
    expect(await stockOf('n95-mask')).toMatchObject({ safetyLevel: 800, belowSafetyLevel: true });

    for (const role of ['commander', 'analyst', 'display', 'operator']) {
      const refused = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'n95-mask'), safetyLevel: 1 }, as(role));
      expect(refused.data?.setProductSafetyLevel ?? null, role).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    const partner = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'n95-mask'), safetyLevel: 1 }, as('partner'));
    expect(partner.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');

    const negative = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'n95-mask'), safetyLevel: -1 });
    expect(negative.data?.setProductSafetyLevel).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', issues: [{ field: 'safetyLevel' }] });
    const unknown = await graphql(server.graphqlUrl, SET_LEVEL, { productId: globalId('Product', 'no-such-product'), safetyLevel: 1 });
    expect(unknown.data?.setProductSafetyLevel).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });

    const audit = await query(database.url, `SELECT actor, before->>'safetyLevel' AS "from", after->>'safetyLevel' AS "to" FROM "AuditEntry" WHERE action = 'product:safetyLevelSet' AND "entityId" = 'n95-mask'`);
    expect(audit.map((a) => [a.from, a.to])).toEqual([['500', '800']]);
    expect(audit[0]!.actor).toMatch(/admin/);
    const level = await query(database.url, `SELECT "safetyLevel" FROM "Product" WHERE id = 'n95-mask'`);
    expect(level[0]!.safetyLevel).toBe(800);

    // Reference data is loaded again on every start; the admin's level stays.
    await server.stop();
    server = await startServer(env(), 'serve', 90_000, server.adminToken);
    expect(await stockOf('n95-mask')).toMatchObject({ safetyLevel: 800 });
  });

  it('stock figures carry the day’s flows: produced in the zone, allocated to the city, allocated within the zone', async () => {
    await query(
      database.url,
      `INSERT INTO "OutputReport" (id, "lineId", "periodStart", "periodEnd", produced, "passedQc", "reportedBy") VALUES ($1, 'mingren-mingkang-line-1', $2, $3, 5000, 5000, 'test'), ($4, 'mingren-mingkang-line-1', $5, $6, 700, 700, 'test')`,
      [randomUUID(), at('10T08:00:00'), at('10T09:00:00'), randomUUID(), at('09T08:00:00'), at('09T09:00:00')],
    );
    const allocate = async (quantity: number, destination: string, extra = '') => {
      const response = await graphql(
        server.graphqlUrl,
        `mutation($key: String!) { allocateSupplies(input: { productId: "${globalId('Product', 'medical-mask')}", quantity: ${quantity}, source: STOCK, destination: ${destination}${extra}, idempotencyKey: $key }) { __typename ... on Error { code message } } }`,
        { key: randomUUID() },
      );
      expect(response.data?.allocateSupplies.__typename, JSON.stringify(response)).toBe('AllocationPayload');
    };
    await allocate(1200, 'CITY');
    await allocate(300, 'CHECKPOINT', `, destinationCheckpointId: "${globalId('Checkpoint', 'fengshou-road')}"`);
    await allocate(500, 'MEDICAL_STAFF');
    expect(await stockOf('medical-mask')).toMatchObject({
      stock: 5700 - 2000,
      safetyLevel: 2000,
      belowSafetyLevel: false,
      day: { produced: 5000, toCity: 1200, toZone: 800 },
    });
    await allocate(1701, 'CITY');
    expect(await stockOf('medical-mask')).toMatchObject({ stock: 1999, belowSafetyLevel: true, day: { produced: 5000, toCity: 2901, toZone: 800 } });
  });

  it('counts isolation per community as the cases are: under isolation, begun today, ended today; display, analyst and partner read the counts, never who', async () => {
    const open = async (compound: string, startedAt: string) => {
      const response = await graphql(server.graphqlUrl, OPEN, { compound: globalId('Area', compound), startedAt });
      expect(response.data?.openIsolationCase.__typename, JSON.stringify(response)).toBe('IsolationCasePayload');
      return response.data!.openIsolationCase.isolationCase.id as string;
    };
    const close = async (id: string, endedAt: string) => expect((await graphql(server.graphqlUrl, CLOSE, { id, endedAt })).data?.closeIsolationCase.__typename).toBe('IsolationCasePayload');
    await open('changlv-linxigu', at('09T09:00:00')); // under isolation, begun yesterday
    await open('changlv-linxigu', at('10T08:00:00')); // begun today
    await close(await open('hpu-binhe', at('08T15:00:00')), at('10T09:00:00')); // ended today
    await close(await open('baida-jiayuan', at('10T07:00:00')), at('10T09:30:00')); // begun and ended today
    await close(await open('jinshan-dongfang', at('07T07:00:00')), at('09T23:59:00')); // ended yesterday

    // What the cases say, read by an admin (who may see them), against the counts.
    const cases = ((await graphql(server.graphqlUrl, CASES)).data!.isolationCases.edges as any[]).map((e) => e.node);
    expect(cases).toHaveLength(5);
    const now = Date.parse((await graphql(server.graphqlUrl, '{ clock { now } }')).data!.clock.now);
    const dayStart = Date.parse(at('10T00:00:00'));
    const count = (list: any[]) => ({
      underIsolation: list.filter((c) => Date.parse(c.startedAt) <= now && (!c.endedAt || Date.parse(c.endedAt) > now)).length,
      startedOnDay: list.filter((c) => Date.parse(c.startedAt) >= dayStart).length,
      endedOnDay: list.filter((c) => c.endedAt && Date.parse(c.endedAt) >= dayStart).length,
    });
    const expected = count(cases);
    expect(expected).toEqual({ underIsolation: 2, startedOnDay: 2, endedOnDay: 2 });
    const communities = [...new Set(cases.map((c) => c.compound.parent.slug))];

    for (const role of ['display', 'analyst']) {
      const summary = (await graphql(server.graphqlUrl, ISOLATION, {}, as(role))).data!.zoneSummary;
      expect(summary.isolation, role).toMatchObject(expected);
      expect(summary.peopleUnderIsolation).toBe(expected.underIsolation);
      for (const slug of communities) {
        const row = summary.isolation.byCommunity.find((r: any) => r.community.slug === slug);
        expect(row, slug).toEqual({ community: { slug, level: 'COMMUNITY' }, ...count(cases.filter((c) => c.compound.parent.slug === slug)) });
      }
      // Who they are stays with health staff and admins: the list, and each case by id.
      const list = await graphql(server.graphqlUrl, CASES, {}, as(role));
      expect(list.data?.isolationCases ?? null, role).toBeNull();
      expect(list.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
      const byId = await graphql(server.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on IsolationCase { personName phone } } }`, { id: cases[0].id }, as(role));
      expect(byId.data?.node ?? null, role).toBeNull();
      expect(JSON.stringify(byId)).not.toContain('张某某');
    }
    // Partners run published operations only: the zone summary's, never the cases.
    const partner = await graphql(server.graphqlUrl, CASES, {}, as('partner'));
    expect(partner.data ?? null).toBeNull();
    expect(partner.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    // The published text, on live figures (partners get approved ones by default; this day was never approved).
    const published = await graphql(server.graphqlUrl, PARTNER_ZONE_SUMMARY, { basis: 'LIVE' }, as('partner'));
    expect(published.data?.zoneSummary.peopleUnderIsolation).toBe(expected.underIsolation);
    expect(JSON.stringify(published)).not.toMatch(/张某某|0391/);

    // Yesterday's day, read after it ended: its own begun and ended.
    const yesterday = (await graphql(server.graphqlUrl, `{ zoneSummary(day: "2020-02-09") { isolation { underIsolation startedOnDay endedOnDay } } }`, {}, as('display'))).data!.zoneSummary.isolation;
    expect(yesterday).toEqual({ underIsolation: 2, startedOnDay: 1, endedOnDay: 1 });
  });
});
