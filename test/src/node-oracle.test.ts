import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { pnpm, tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

/** A well-formed id of the given type that names nothing. */
const missing = (type: string, n = 0) => globalId(type, `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);

const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';
const NODES = 'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};

describe('node(id) and nodes(ids) do not tell a forbidden object from a missing one', () => {
  const dir = tempDir();
  const env = { FANGKONG_DATA_DIR: dir.path };
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  /** One existing id per node type whose access is restricted, read as admin. */
  const ids: Record<string, string> = {};
  let otherCompoundCase: string;

  const as = (role: string, query: string, variables: Record<string, unknown>) => graphql(server.graphqlUrl, query, variables, { authorization: `Bearer ${tokens[role]}` });

  beforeAll(async () => {
    const seeded = await pnpm(['db:seed', '--history'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    server = await startServer(env);
    tokens.admin = server.adminToken;
    for (const role of ['commander', 'analyst', 'display']) tokens[role] = await createToken(env, role);
    tokens.operator = await createToken(env, 'operator', ['fengshou-road']);
    tokens.healthHere = await createToken(env, 'health', ['changlv-linxigu']);
    tokens.healthElsewhere = await createToken(env, 'health', ['baida-jiayuan']);

    const work = await graphql(
      server.graphqlUrl,
      `mutation($enterprise: ID!, $department: ID!) {
        assignTask(title: "核查口罩库存", titleEn: "Check the mask stock", ownerDepartmentId: $department) { ... on TaskPayload { task { id } } }
        submitResumptionApplication(enterpriseId: $enterprise) { ... on ResumptionApplicationPayload { application { id } } }
      }`,
      { enterprise: globalId('Enterprise', 'zhongshan-guoan'), department: globalId('Department', 'industry-it') },
    );
    expect(work.errors, JSON.stringify(work.errors)).toBeUndefined();
    ids.Task = work.data!.assignTask.task.id;
    ids.ResumptionApplication = work.data!.submitResumptionApplication.application.id;

    const read = await graphql(
      server.graphqlUrl,
      `query($own: ID!, $other: ID!) {
        isolationCases(first: 50) { edges { node { id compound { slug } } } }
        allocations(first: 1) { edges { node { id } } }
        inspections(first: 10) { edges { node { id findings { id } } } }
        own: node(id: $own) { ... on Checkpoint { reports(first: 1) { edges { node { id } } } } }
        other: node(id: $other) { ... on Checkpoint { reports(first: 1) { edges { node { id } } } } }
        productionLines(first: 1) { edges { node { outputReports(first: 1) { edges { node { id } } } } } }
      }`,
      { own: globalId('Checkpoint', 'fengshou-road'), other: globalId('Checkpoint', 'yingbin-road-exit') },
    );
    expect(read.errors, JSON.stringify(read.errors)).toBeUndefined();
    const cases = read.data!.isolationCases.edges.map((e: any) => e.node);
    ids.IsolationCase = cases.find((c: any) => c.compound.slug === 'changlv-linxigu').id;
    otherCompoundCase = cases.find((c: any) => c.compound.slug !== 'changlv-linxigu').id;
    ids.Allocation = read.data!.allocations.edges[0].node.id;
    ids.Inspection = read.data!.inspections.edges[0].node.id;
    ids.Finding = read.data!.inspections.edges.flatMap((e: any) => e.node.findings)[0].id;
    ids.CheckpointReport = read.data!.other.reports.edges[0].node.id;
    ids.OutputReport = read.data!.productionLines.edges[0].node.outputReports.edges[0].node.id;
    ids.ownCheckpointReport = read.data!.own.reports.edges[0].node.id;
    for (const [type, id] of Object.entries(ids)) expect(id, type).toBeTruthy();
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  /** Who may not see each restricted type (access.ts: records, personal and the operator's own). */
  const hiddenFrom: Record<string, string[]> = {
    IsolationCase: ['commander', 'analyst', 'display', 'operator', 'healthElsewhere'],
    Allocation: ['display', 'operator', 'healthHere'],
    Task: ['display', 'operator', 'healthHere'],
    Inspection: ['display', 'operator', 'healthHere'],
    Finding: ['display', 'operator', 'healthHere'],
    ResumptionApplication: ['display', 'operator', 'healthHere'],
    CheckpointReport: ['display', 'operator', 'healthHere'],
    OutputReport: ['display', 'operator', 'healthHere'],
  };

  for (const [type, roles] of Object.entries(hiddenFrom)) {
    it(`answers node(id) of a ${type} the caller may not see exactly as a missing one: null, no error`, async () => {
      for (const role of roles) {
        const forbidden = await as(role, NODE, { id: ids[type] });
        const absent = await as(role, NODE, { id: missing(type) });
        expect(forbidden, `${role} ${type}`).toEqual({ status: 200, data: { node: null } });
        expect(forbidden).toEqual(absent);
        // A fragment on the type changes nothing.
        const fragment = await as(role, `query($id: ID!) { node(id: $id) { ... on ${type} { id } } }`, { id: ids[type] });
        expect(fragment, `${role} ${type} fragment`).toEqual({ status: 200, data: { node: null } });
      }
      const admin = await as('admin', NODE, { id: ids[type] });
      expect(admin.data).toEqual({ node: { __typename: type, id: ids[type] } });
    });
  }

  it('answers nodes(ids) with null in the positions of forbidden and missing ids alike', async () => {
    const checkpoint = globalId('Checkpoint', 'fengshou-road');
    const list = [ids.IsolationCase, missing('IsolationCase'), checkpoint, ids.Allocation, missing('Allocation'), ids.Task];
    const display = await as('display', NODES, { ids: list });
    expect(display).toEqual({ status: 200, data: { nodes: [null, null, { __typename: 'Checkpoint', id: checkpoint }, null, null, null] } });
    const admin = await as('admin', NODES, { ids: list });
    expect(admin.data!.nodes.map((n: any) => n?.__typename ?? null)).toEqual(['IsolationCase', null, 'Checkpoint', 'Allocation', null, 'Task']);
  });

  it('still shows each caller what it may see', async () => {
    expect((await as('healthHere', NODE, { id: ids.IsolationCase })).data).toEqual({ node: { __typename: 'IsolationCase', id: ids.IsolationCase } });
    expect((await as('healthHere', NODE, { id: otherCompoundCase })).data).toEqual({ node: null });
    expect((await as('operator', NODE, { id: ids.ownCheckpointReport })).data).toEqual({ node: { __typename: 'CheckpointReport', id: ids.ownCheckpointReport } });
    expect((await as('analyst', NODE, { id: ids.Allocation })).data).toEqual({ node: { __typename: 'Allocation', id: ids.Allocation } });
    expect((await as('commander', NODE, { id: ids.Task })).data).toEqual({ node: { __typename: 'Task', id: ids.Task } });
  });

  it('takes as long for a forbidden id as for a missing one (median of 50 each, interleaved)', async () => {
    const timed = async (id: string) => {
      const started = performance.now();
      const result = await as('display', NODE, { id });
      expect(result.data).toEqual({ node: null });
      return performance.now() - started;
    };
    // Warm both paths first: the first lookups of a type pay for compiling its query.
    for (let i = 0; i < 10; i++) {
      await timed(ids.IsolationCase!);
      await timed(missing('IsolationCase', i));
    }
    const forbidden: number[] = [];
    const absent: number[] = [];
    for (let i = 0; i < 50; i++) {
      forbidden.push(await timed(ids.IsolationCase!));
      absent.push(await timed(missing('IsolationCase', 100 + i)));
    }
    const [f, a] = [median(forbidden), median(absent)];
    console.info(`node(id) as display: forbidden median ${f.toFixed(2)} ms, missing median ${a.toFixed(2)} ms, difference ${(f - a).toFixed(2)} ms`);
    expect(Math.abs(f - a)).toBeLessThan(Math.max(1.5, 0.2 * Math.min(f, a)));
  });
});
