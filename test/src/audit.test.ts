// The audit trail proves who changed what without keeping personal data in clear: a personal field
// keeps its name and a keyed hash (HMAC-SHA256 under FANGKONG_AUDIT_KEY) of its value, the same for
// equal values; everything else stays readable.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { pnpm, tempDir } from './support/processes.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

const OPEN = `mutation($compound: ID!, $name: String!, $phone: String!, $reason: String!) {
  openIsolationCase(compoundId: $compound, personName: $name, phone: $phone, reason: $reason, startedAt: "2020-02-05T10:00:00+08:00") {
    __typename ... on IsolationCasePayload { isolationCase { id } } ... on Error { code message }
  }
}`;
const CHECK = `mutation($id: ID!, $note: String) {
  recordHealthCheck(caseId: $id, temperature: 37.6, symptoms: ["咳嗽", "乏力"], note: $note, checkedAt: "2020-02-06T09:00:00+08:00") {
    __typename ... on Error { code message }
  }
}`;
const CLOSE = `mutation($id: ID!) {
  closeIsolationCase(caseId: $id, outcome: RELEASED, endedAt: "2020-02-08T09:00:00+08:00") { __typename ... on Error { code message } }
}`;

const people = [
  { name: '王秀英', phone: '139 0391 0001', reason: '2020-02-01 自武汉返焦' },
  { name: '李建国', phone: '139 0391 0002', reason: '2020-02-01 自武汉返焦' },
];
const note = '自述轻微咳嗽，已嘱多饮水，家属陪护';
/** Every personal value the writes below carry, none of which may appear in the trail. */
const secrets = [...people.flatMap((p) => [p.name, p.phone, p.reason]), note, '咳嗽', '乏力', '37.6'];

const hmacOf = (key: string, model: string, field: string, value: unknown) =>
  `hmac-sha256:${createHmac('sha256', key).update(`${model}.${field}:${JSON.stringify(value)}`).digest('base64url')}`;

type Entry = { id: string; action: string; entityType: string; entityId: string; actor: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null };

describe.skipIf(!(await postgresReachable()))('the audit trail of personal data, on PostgreSQL', () => {
  const key = randomBytes(32).toString('base64');
  let database: TestDatabase;
  let server: RunningServer;
  let entries: Entry[];
  const env = () => ({ DATABASE_URL: database.url, FANGKONG_AUDIT_KEY: key });
  const trail = () =>
    query<Entry>(database.url, `SELECT id, action, "entityType", "entityId", actor, before, after FROM "AuditEntry" WHERE "entityType" IN ('IsolationCase', 'HealthCheck') ORDER BY at, id`);

  beforeAll(async () => {
    database = await createTestDatabase('audit');
    server = await startServer(env());
    const [compound] = await query<{ id: string }>(database.url, `SELECT id FROM "Area" WHERE level = 'COMPOUND' ORDER BY id LIMIT 1`);
    const caseIds: string[] = [];
    for (const person of people) {
      const opened = (await graphql(server.graphqlUrl, OPEN, { compound: globalId('Area', compound!.id), name: person.name, phone: person.phone, reason: person.reason })).data!.openIsolationCase;
      expect(opened.__typename, JSON.stringify(opened)).toBe('IsolationCasePayload');
      caseIds.push(opened.isolationCase.id);
    }
    for (const id of caseIds) expect((await graphql(server.graphqlUrl, CHECK, { id, note })).data!.recordHealthCheck.__typename).toBe('IsolationCasePayload');
    expect((await graphql(server.graphqlUrl, CLOSE, { id: caseIds[0] })).data!.closeIsolationCase.__typename).toBe('IsolationCasePayload');
    entries = await trail();
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('holds no name, phone, reason, symptom, temperature or note in clear', () => {
    expect(entries.map((e) => e.action)).toEqual(['isolationCase:opened', 'isolationCase:opened', 'healthCheck:recorded', 'healthCheck:recorded', 'isolationCase:closed']);
    const text = JSON.stringify(entries);
    for (const secret of secrets) expect(text, secret).not.toContain(secret);
  });

  it('keeps each personal field by name with a keyed hash that the key reproduces, the rest in clear', () => {
    const opened = entries[0]!;
    expect(opened.after).toMatchObject({
      personName: hmacOf(key, 'IsolationCase', 'personName', people[0]!.name),
      phone: hmacOf(key, 'IsolationCase', 'phone', people[0]!.phone),
      reason: hmacOf(key, 'IsolationCase', 'reason', people[0]!.reason),
      status: 'ACTIVE',
      startedAt: '2020-02-05T02:00:00.000Z',
      createdBy: 'admin:test admin',
    });
    expect(opened.actor).toBe('admin:test admin');
    const check = entries[2]!;
    expect(check.after).toMatchObject({
      temperature: hmacOf(key, 'HealthCheck', 'temperature', 37.6),
      symptoms: hmacOf(key, 'HealthCheck', 'symptoms', ['咳嗽', '乏力']),
      note: hmacOf(key, 'HealthCheck', 'note', note),
      checkedBy: 'admin:test admin',
    });
  });

  it('gives equal values the same hash and different values different ones', () => {
    const [first, second, check1, check2, closed] = entries;
    // The same reason for two people, the same note on two checks: equal hashes.
    expect(first!.after!.reason).toBe(second!.after!.reason);
    expect(check1!.after!.note).toBe(check2!.after!.note);
    // Two people: different names and phones.
    expect(first!.after!.personName).not.toBe(second!.after!.personName);
    expect(first!.after!.phone).not.toBe(second!.after!.phone);
    // Closing changed the status, not the person: before and after hash the name alike.
    expect(closed!.before!.personName).toBe(first!.after!.personName);
    expect(closed!.after!.personName).toBe(first!.after!.personName);
    expect([closed!.before!.status, closed!.after!.status]).toEqual(['ACTIVE', 'RELEASED']);
  });

  it('seals entries written in clear before, at the next start, and leaves sealed ones as they are', async () => {
    await server.stop();
    const clear = { id: 'old-case', personName: '赵六', phone: '13900000000', reason: '密切接触者', status: 'ACTIVE', compoundId: 'x' };
    await query(
      database.url,
      `INSERT INTO "AuditEntry" (id, actor, action, "entityType", "entityId", before, after) VALUES ('audit-before-sealing', 'health:old', 'isolationCase:opened', 'IsolationCase', 'old-case', NULL, $1::jsonb)`,
      [JSON.stringify(clear)],
    );
    server = await startServer(env());
    const [old] = await query<Entry>(database.url, `SELECT before, after FROM "AuditEntry" WHERE id = 'audit-before-sealing'`);
    expect(old!.before).toBeNull();
    expect(old!.after).toEqual({
      ...clear,
      personName: hmacOf(key, 'IsolationCase', 'personName', '赵六'),
      phone: hmacOf(key, 'IsolationCase', 'phone', '13900000000'),
      reason: hmacOf(key, 'IsolationCase', 'reason', '密切接触者'),
    });
    expect(server.output()).toMatch(/"sealed":1,.*"msg":"audit entries sealed"/);
    const rest = (await trail()).filter((e) => e.id !== 'audit-before-sealing');
    expect(rest).toEqual(entries);
  });

  it('prunes entries older than a day with `pnpm fangkong audit prune --before`, and records that it did', async () => {
    await query(database.url, `INSERT INTO "AuditEntry" (id, actor, action, "entityType", "entityId", at) VALUES ('audit-2019', 'admin:old', 'task:assigned', 'Task', 't', '2019-12-31T15:59:59Z')`);
    const kept = Number((await query(database.url, `SELECT COUNT(*)::int AS n FROM "AuditEntry" WHERE at >= '2019-12-31T16:00:00Z'`))[0]!.n);

    const future = await pnpm(['fangkong', 'audit', 'prune', '--before', '2999-01-01'], { DATABASE_URL: database.url });
    expect(future.code).not.toBe(0);
    expect(future.stderr).toMatch(/--before: 2999-01-01 is in the future/);

    // 2020-01-01 is its 00:00 in Asia/Shanghai: 2019-12-31T16:00Z.
    const result = await pnpm(['fangkong', 'audit', 'prune', '--before', '2020-01-01'], { DATABASE_URL: database.url });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('pruned 1 audit entry from before 2019-12-31T16:00:00.000Z');
    const left = await query<{ id: string; action: string; after: unknown }>(database.url, `SELECT id, action, after FROM "AuditEntry" ORDER BY at`);
    expect(left.map((e) => e.id)).not.toContain('audit-2019');
    expect(left).toHaveLength(kept + 1);
    // Found by its action, not as the latest: entries this file inserts with SQL take the database's clock.
    expect(left.filter((e) => e.action === 'audit:pruned')).toEqual([expect.objectContaining({ after: { before: '2019-12-31T16:00:00.000Z', count: 1 } })]);
  });
});

describe('the audit key of the embedded database', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | undefined;
  beforeAll(() => {
    dir = tempDir('fangkong-audit-');
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('is made in the data folder on first start, readable by its owner only, and kept after', async () => {
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_AUDIT_KEY: '' });
    const path = join(dir.path, 'audit.key');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const made = readFileSync(path, 'utf8').trim();
    expect(made.length).toBeGreaterThanOrEqual(32);
    await server.stop();
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_AUDIT_KEY: '' });
    expect(readFileSync(path, 'utf8').trim()).toBe(made);
  });
});
