import { randomUUID } from 'node:crypto';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { wsClient } from './support/live.ts';
import { executeOver, type Result, type Transport } from './support/transports.ts';
import { pnpm, run, tempDir } from './support/processes.ts';
import { freshPeriod } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };


const PARTNER_ZONE = Object.entries(manifest).find(([, q]) => q.includes('PartnerZoneSummary'))!;
const PARTNER_CHECKPOINTS = Object.entries(manifest).find(([, q]) => q.includes('PartnerCheckpoints'))!;

describe('access control on every transport', () => {
  const dir = tempDir();
  const env = { FANGKONG_DATA_DIR: dir.path };
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  let caseId: string;

  /** One operation, first result only, as the given token over the given transport. */
  const execute = (transport: Transport, token: string | null, query: string, variables: Record<string, unknown> = {}, extensions?: unknown) =>
    executeOver(server, transport, token, query, variables, extensions);

  beforeAll(async () => {
    const seeded = await pnpm(['db:seed', '--history'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    server = await startServer(env);
    tokens.admin = server.adminToken;
    tokens.commander = await createToken(env, 'commander');
    tokens.analyst = await createToken(env, 'analyst');
    tokens.operator = await createToken(env, 'operator', ['fengshou-road', 'yizhonghong-line-1']);
    tokens.health = await createToken(env, 'health', ['zhulinlu']);
    tokens.partner = await createToken(env, 'partner');
    tokens.display = await createToken(env, 'display');
    const opened = await graphql(server.graphqlUrl, `mutation($c: ID!) { openIsolationCase(compoundId: $c, personName: "测试居民甲", phone: "139-0000-4242", reason: "自湖北返乡", startedAt: "2020-02-05T10:00:00+08:00") { ... on IsolationCasePayload { isolationCase { id } } } }`, {
      c: globalId('Area', 'jinshan-dongfang'),
    });
    caseId = opened.data!.openIsolationCase.isolationCase.id;
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  const OPS = {
    reference: { query: `{ checkpoints(first: 2) { edges { node { name } } } }` },
    aggregates: { query: `{ zoneSummary(day: "2020-02-07") { checkpointTotals { peopleScreened } } }` },
    records: { query: `{ allocations(first: 2) { totalCount } }` },
    personal: { query: `{ isolationCases(first: 5) { edges { node { personName } } } }` },
    report: {
      query: `mutation($input: ReportCheckpointCountsInput!) { reportCheckpointCounts(input: $input) { __typename ... on CheckpointReportPayload { report { id peopleScreened checkpoint { slug } } } } }`,
      variables: () => ({ input: { checkpointId: globalId('Checkpoint', 'fengshou-road'), ...freshPeriod(), peopleScreened: 1, idempotencyKey: randomUUID() } }),
    },
    command: {
      query: `mutation { assignTask(title: "核查卡点物资", ownerDepartmentId: "${globalId('Department', 'health')}") { __typename } }`,
    },
    liveAggregates: { query: `subscription { zoneSummary { asOfSeq } }` },
    events: { query: `subscription { events(after: "0") { cursor } }` },
  } as const;

  const ALLOWED: Record<keyof typeof OPS, string[]> = {
    reference: ['admin', 'commander', 'analyst', 'operator', 'health', 'display'],
    aggregates: ['admin', 'commander', 'analyst', 'display'],
    records: ['admin', 'commander', 'analyst'],
    personal: ['admin', 'health'],
    report: ['admin', 'operator'],
    command: ['admin', 'commander'],
    liveAggregates: ['admin', 'commander', 'analyst', 'display'],
    events: ['admin', 'commander', 'analyst'],
  };
  const ROLES = ['admin', 'commander', 'analyst', 'operator', 'health', 'partner', 'display'];

  for (const transport of ['http', 'ws', 'sse'] as Transport[]) {
    describe(`role × operation over ${transport.toUpperCase()}`, () => {
      for (const [name, op] of Object.entries(OPS) as [keyof typeof OPS, (typeof OPS)[keyof typeof OPS]][]) {
        // Yoga's plain HTTP POST cannot carry a subscription; the events stream is tested live elsewhere.
        if (transport === 'http' && name.startsWith('live')) continue;
        if (transport !== 'ws' && name === 'events') continue;
        it(`${name}: allowed for ${ALLOWED[name].join(', ')}; refused for the rest`, async () => {
          for (const role of ROLES) {
            const variables = 'variables' in op ? op.variables() : {};
            const result = await execute(transport, tokens[role]!, op.query, variables);
            const allowed = ALLOWED[name].includes(role);
            if (allowed) {
              expect(result.errors, `${role} ${name} ${JSON.stringify(result.errors)}`).toBeUndefined();
              if (name === 'report' || name === 'command') expect(JSON.stringify(result.data)).toMatch(/Payload/);
            } else {
              expect(result.errors?.length, `${role} ${name} should be refused: ${JSON.stringify(result)}`).toBeGreaterThan(0);
              expect(['FORBIDDEN', 'PERSISTED_QUERY_ONLY']).toContain(result.errors![0]!.extensions?.code);
            }
          }
        });
      }
      it('refuses every operation without a token, naming how to authenticate', async () => {
        const result = await execute(transport, null, OPS.reference.query);
        expect(result.errors?.[0]?.extensions?.code ?? result.errors?.[0]?.message).toMatch(/UNAUTHENTICATED|authentication required/);
      });
      it('lets a partner run the published persisted operations, and nothing else', async () => {
        // Partners get approved figures unless they ask; the seeded day was never approved, so this asks LIVE.
        const persisted = await execute(transport, tokens.partner!, PARTNER_ZONE[1], { day: '2020-02-07', basis: 'LIVE' });
        expect(persisted.errors).toBeUndefined();
        expect(persisted.data.zoneSummary.basis).toBe('LIVE');
        expect(persisted.data.zoneSummary.checkpointTotals.peopleScreened).toBeGreaterThan(0);
        const arbitrary = await execute(transport, tokens.partner!, `{ zoneSummary { day } }`);
        expect(arbitrary.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
      });
    });
  }

  it('resolves a partner persisted operation sent by hash alone', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.partner}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: PARTNER_CHECKPOINTS[0] } } }),
    });
    const body = (await response.json()) as Result;
    expect(body.errors).toBeUndefined();
    expect(body.data.checkpoints.totalCount).toBeGreaterThanOrEqual(8);
  });

  it('keeps an operator to its own checkpoints and lines', async () => {
    const other = await execute('http', tokens.operator!, OPS.report.query, {
      input: { checkpointId: globalId('Checkpoint', 'yingbin-road-exit'), ...freshPeriod(), peopleScreened: 1, idempotencyKey: randomUUID() },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  describe('personal data never reaches partner, display or analyst', () => {
    // Fields answer FORBIDDEN; node(id) and nodes(ids) answer as for a missing id (node-oracle.test.ts).
    const probes = () => [
      { query: `{ isolationCases { edges { node { personName phone } } } }`, hidden: null },
      { query: `query($id: ID!) { node(id: $id) { ... on IsolationCase { personName phone } } }`, variables: { id: caseId }, hidden: { node: null } },
      { query: `query($ids: [ID!]!) { nodes(ids: $ids) { ...P } } fragment P on IsolationCase { personName phone healthChecks { temperature } }`, variables: { ids: [caseId] }, hidden: { nodes: [null] } },
      { query: `query($id: ID!) { node(id: $id) { __typename id } }`, variables: { id: caseId }, hidden: { node: null } },
    ];
    for (const role of ['partner', 'display', 'analyst']) {
      it(`as ${role}: fields, node(id), nodes(ids), fragments, subscriptions and the event stream`, async () => {
        const bodies: string[] = [];
        for (const transport of ['http', 'ws', 'sse'] as Transport[]) {
          for (const probe of probes()) {
            const result = await execute(transport, tokens[role]!, probe.query, probe.variables ?? {});
            bodies.push(JSON.stringify(result));
            // Partners may run published operations only: everything else is refused outright.
            const hidden = role === 'partner' ? null : probe.hidden;
            expect(result, `${transport}: ${JSON.stringify(result)}`).toEqual(hidden ? { data: hidden } : expect.objectContaining({ errors: expect.arrayContaining([expect.anything()]) }));
          }
        }
        if (role === 'analyst') {
          // The analyst may follow the event stream: it carries compounds and statuses, never names.
          const client = wsClient(server.url, { token: tokens.analyst! });
          const seen: string[] = [];
          const dispose = client.subscribe({ query: `subscription($after: String) { events(after: $after, types: [ISOLATION_CASE_OPENED]) { payload subjectId } }`, variables: { after: '0' } }, {
            next: (r) => seen.push(JSON.stringify(r)),
            error: () => {},
            complete: () => {},
          });
          for (let i = 0; i < 50 && !seen.length; i++) await new Promise((r) => setTimeout(r, 100));
          dispose();
          await client.dispose();
          expect(seen.length).toBeGreaterThan(0);
          bodies.push(...seen);
        }
        const all = bodies.join('\n');
        expect(all).not.toContain('测试居民甲');
        expect(all).not.toContain('139-0000-4242');
        expect(all).not.toMatch(/模拟居民/);
      });
    }

    it('records the refusals of one operation once, with their count, however many fields it names', async () => {
      const deniedLines = () => server.output().split('\n').filter((line) => line.includes('"msg":"access denied"'));
      const before = deniedLines().length;
      // A nullable figure health staff may not read, on every checkpoint of a page: one refusal each.
      const result = await graphql(server.graphqlUrl, `{ checkpoints(first: 50) { totalCount edges { node { lastReportAt } } } }`, undefined, { authorization: `Bearer ${tokens.health}` });
      const refused = result.data!.checkpoints.totalCount as number;
      expect(refused).toBeGreaterThanOrEqual(8);
      expect(result.errors).toHaveLength(refused);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const added = deniedLines().slice(before);
      expect(added).toHaveLength(1);
      expect(JSON.parse(added[0]!).detail).toBe(`${refused} refused: Checkpoint.lastReportAt ×${refused}`);
    });

    it('records the refusals of each result of a subscription once, on WebSocket', async () => {
    const deniedLines = () => server.output().split('\n').filter((line) => line.includes('"msg":"access denied"'));
    const before = deniedLines().length;
    // A wall display may follow the figures, not read the reports behind them: each update refuses them once.
    const client = wsClient(server.url, { token: tokens.display! });
    const results: Result[] = [];
    const dispose = client.subscribe(
      { query: `subscription($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { checkpoint { name reports(first: 1) { totalCount } } } }`, variables: { ids: [globalId('Checkpoint', 'fengshou-road')] } },
      { next: (r) => void results.push(r as Result), error: (e) => void results.push({ errors: [{ message: JSON.stringify(e) }] } as Result), complete: () => {} },
    );
    try {
      await expect.poll(() => results.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(results[0]!.errors?.[0]?.extensions?.code, JSON.stringify(results[0])).toBe('FORBIDDEN');
      expect((results[0]!.errors?.[0] as { path?: string[] } | undefined)?.path).toEqual(['checkpointCounts', 'checkpoint', 'reports']);
      await expect.poll(() => deniedLines().length - before, { timeout: 5_000 }).toBe(1);
      expect(JSON.parse(deniedLines().at(-1)!).detail).toBe('1 refused: Checkpoint.reports');
    } finally {
      dispose();
      await client.dispose();
    }
  });

  it('refuses text with a NUL character as bad input, writing nothing', async () => {
      const line = globalId('ProductionLine', 'pingguang-line-1');
      const before = await graphql(server.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on ProductionLine { status } } }`, { id: line });
      const result = await graphql(server.graphqlUrl, `mutation($id: ID!, $note: String) { setProductionLineStatus(lineId: $id, status: HALTED, note: $note) { __typename } }`, { id: line, note: 'melt-blown fabric\u0000late' });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/NUL/);
      const after = await graphql(server.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on ProductionLine { status } } }`, { id: line });
      expect(after.data).toEqual(before.data);
    });

    it('refuses a list of more than 500 items before running anything', async () => {
      const ids = Array.from({ length: 501 }, () => caseId);
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.analyst}` },
        body: JSON.stringify({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(body.errors[0]!.message).toMatch(/holds 501 items; at most 500/);
    });

    it('gives health staff the people of their own areas only', async () => {
      const inScope = await graphql(server.graphqlUrl, `{ isolationCases(first: 50) { totalCount edges { node { personName compound { slug path } } } } }`, undefined, { authorization: `Bearer ${tokens.health}` });
      expect(inScope.errors).toBeUndefined();
      const paths = inScope.data!.isolationCases.edges.map((e: any) => e.node.compound.path);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).toContain('/zhulinlu/');
      const outsider = await createToken(env, 'health', ['sujiazuo']);
      const outside = await graphql(server.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on IsolationCase { personName } } }`, { id: caseId }, { authorization: `Bearer ${outsider}` });
      expect(outside).toEqual({ status: 200, data: { node: null } });
    });
  });

  describe('abuse is answered fast with a 4xx or a coded error, and the server stays up', () => {
    const send = async (body: string) => {
      const started = Date.now();
      const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.analyst}` }, body });
      const text = await response.text();
      return { status: response.status, text, ms: Date.now() - started };
    };
    const nest = (depth: number) => `{ areas { edges { node { ${'parent { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;
    const cases: [string, () => string][] = [
      ['depth 50', () => JSON.stringify({ query: nest(50) })],
      ['1,000 aliases', () => JSON.stringify({ query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: zoneSummary { day }`).join(' ')} }` })],
      ['a 1 MB document', () => JSON.stringify({ query: `{ zoneSummary { day } } # ${'x'.repeat(1_000_000)}` })],
      ['circular fragments', () => JSON.stringify({ query: `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }` })],
      ['3,000 duplicated fields', () => JSON.stringify({ query: `{ zoneSummary { ${'day '.repeat(3000)} } }` })],
      ['batched requests', () => JSON.stringify([{ query: '{ zoneSummary { day } }' }, { query: '{ zoneSummary { day } }' }])],
      ['a huge page product', () => JSON.stringify({ query: `{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { reports(first: 500) { edges { node { id } } } } } } } } } }` })],
    ];
    it.each(cases)('%s', async (_name, body) => {
      const { status, text, ms } = await send(body());
      const coded = /"code":"[A-Z_]+"/.test(text);
      expect(status >= 400 && status < 500 || coded, `${status} ${text.slice(0, 300)}`).toBe(true);
      if (status < 400) expect(text).toMatch(/"errors"/);
      expect(ms).toBeLessThan(2000);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    });

    const malformedGets: [string, string, string][] = [
      ['variables that are not JSON', 'variables=x', 'variables'],
      ['variables cut short', 'variables=%7B', 'variables'],
      ['extensions cut short', 'extensions=%5B', 'extensions'],
    ];
    it.each(malformedGets)('a GET with %s is a 400 naming the parameter', async (_name, params, name) => {
      const response = await fetch(`${server.graphqlUrl}?query=%7BzoneSummary%7Bday%7D%7D&${params}`, { headers: { accept: 'application/json', authorization: `Bearer ${tokens.analyst}` } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0]!.message).toBe(`the ${name} parameter is not valid JSON`);
    });
  });

  describe('tokens', () => {
    it('prints a new token alone on stdout, lists it, and stops accepting it once revoked', async () => {
      const created = await run('pnpm', ['fangkong', 'token', 'create', '--role', 'display', '--label', 'wall 2'], env);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/^fk_[\w-]{43}\n$/);
      expect(created.stderr).toContain('wall 2');
      const token = created.stdout.trim();
      expect((await execute('http', token, OPS.aggregates.query)).errors).toBeUndefined();
      const listed = await run('pnpm', ['fangkong', 'token', 'list'], env);
      expect(listed.stdout).not.toContain(token);
      const line = listed.stdout.split('\n').find((l) => l.includes('wall 2'))!;
      const id = line.split(/\s+/)[0]!;
      const revoked = await run('pnpm', ['fangkong', 'token', 'revoke', id], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      const after = await execute('http', token, OPS.aggregates.query);
      expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a scope that names nothing', async () => {
      const bad = await run('pnpm', ['fangkong', 'token', 'create', '--role', 'operator', '--scope', 'no-such-checkpoint'], env);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toMatch(/unknown checkpoint or production line no-such-checkpoint/);
    });
  });

  describe('GraphQL over HTTP compliance (graphql-http audits)', () => {
    it('passes every MUST and SHOULD audit', async () => {
      const audits = serverAudits({
        url: server.graphqlUrl,
        fetchFn: (input: string | URL | Request, init?: RequestInit) =>
          fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), authorization: `Bearer ${tokens.analyst}` } }),
      });
      const results = await Promise.all(audits.map(async (audit) => ({ name: audit.name, result: await audit.fn() })));
      const failed = results.filter((r) => r.result.status !== 'ok' && !r.name.startsWith('MAY'));
      const may = results.filter((r) => r.name.startsWith('MAY'));
      console.log(`graphql-http audits: ${results.length - failed.length}/${results.length} ok; MAY: ${may.map((m) => `${m.result.status} ${m.name}`).join('; ')}`);
      expect(failed.map((f) => `${f.name}: ${'reason' in f.result ? f.result.reason : ''}`)).toEqual([]);
    });
  });

  it('answers other origins no CORS grant unless they are configured', async () => {
    const ask = (url: string, origin: string, method = 'POST') =>
      fetch(url, {
        method,
        headers:
          method === 'OPTIONS'
            ? { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }
            : { origin, 'content-type': 'application/json', authorization: `Bearer ${tokens.analyst}` },
        body: method === 'POST' ? JSON.stringify({ query: '{ zoneSummary { day } }' }) : undefined,
      });
    for (const method of ['POST', 'OPTIONS']) {
      const response = await ask(server.graphqlUrl, 'https://evil.example', method);
      expect(response.headers.get('access-control-allow-origin'), method).toBeNull();
      expect(response.headers.get('access-control-allow-credentials'), method).toBeNull();
    }

    const other = tempDir();
    const otherEnv = { FANGKONG_DATA_DIR: other.path, FANGKONG_CORS_ORIGINS: 'https://city.example' };
    const allowing = await startServer(otherEnv);
    try {
      const preflight = await ask(allowing.graphqlUrl, 'https://city.example', 'OPTIONS');
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://city.example');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      const foreign = await ask(allowing.graphqlUrl, 'https://evil.example', 'OPTIONS');
      expect(foreign.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    } finally {
      await allowing.stop();
      other.remove();
    }
  }, 180_000);

  it('refuses to start with a CORS origin that is not one', async () => {
    const elsewhere = tempDir();
    const result = await pnpm(['serve'], { FANGKONG_DATA_DIR: elsewhere.path, FANGKONG_CORS_ORIGINS: 'city.example/path' });
    elsewhere.remove();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/FANGKONG_CORS_ORIGINS: "city.example\/path" is not an origin/);
  });

  it('rate-limits a token that sends too much', async () => {
    const limited = tempDir();
    const limitedEnv = { FANGKONG_DATA_DIR: limited.path, FANGKONG_RATE_LIMIT: '5' };
    const small = await startServer(limitedEnv);
    try {
      const token = await createToken(limitedEnv, 'analyst');
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await graphql(small.graphqlUrl, `{ zoneSummary { day } }`, undefined, { authorization: `Bearer ${token}` });
        codes.push(r.errors?.[0]?.extensions?.code);
      }
      expect(codes.slice(0, 5).every((c) => c === undefined)).toBe(true);
      expect(codes.slice(5).every((c) => c === 'RATE_LIMITED')).toBe(true);
    } finally {
      await small.stop();
      limited.remove();
    }
  }, 180_000);
});
