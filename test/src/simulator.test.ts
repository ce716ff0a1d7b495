import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@fangkong/simulator';
import { run, type RunResult, tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';


// ─────────────────────────── against a real server ───────────────────────────

interface SimulatorTotals {
  reports: number;
  accepted: number;
  acceptedCheckpoint: number;
  acceptedOutput: number;
  duplicates: number;
  resends: number;
  alreadyStored: number;
  rejected: number;
  retries: number;
  failed: number;
  requests: number;
  statusChanges: number;
  seconds: number;
}

/** The simulator's closing totals line, as a person reads it. */
function parseTotals(stdout: string): SimulatorTotals {
  const match =
    /totals: reports (\d+), accepted (\d+) \(checkpoint (\d+), output (\d+)\), duplicates (\d+) \(resent on purpose (\d+), already stored (\d+)\), rejected (\d+), retries (\d+), failed (\d+), requests (\d+) \([\d.]+\/s\), line status changes (\d+)/.exec(
      stdout,
    );
  const seconds = /simulation .* after ([\d.]+) s/.exec(stdout);
  if (!match || !seconds) throw new Error(`no totals in the simulator's output:\n${stdout}`);
  const [, ...n] = match.map(Number);
  return {
    reports: n[0]!,
    accepted: n[1]!,
    acceptedCheckpoint: n[2]!,
    acceptedOutput: n[3]!,
    duplicates: n[4]!,
    resends: n[5]!,
    alreadyStored: n[6]!,
    rejected: n[7]!,
    retries: n[8]!,
    failed: n[9]!,
    requests: n[10]!,
    statusChanges: n[11]!,
    seconds: Number(seconds[1]),
  };
}

/** `node --import tsx simulator/src/cli.ts …` from the repository root, as `pnpm simulate` runs it. */
const simulate = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  run(process.execPath, ['--import', 'tsx', 'simulator/src/cli.ts', ...args], env, 120_000);

const localDay = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);

const DAY_FIGURES = `query($day: Date!) { zoneSummary(day: $day) {
  checkpointTotals { vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections reports simulatedReports }
  byCheckpointKind { kind checkpoints counts { peopleScreened feverCases reports simulatedReports } }
  production { masks { produced passedQc simulatedReports } byProduct { product { slug } figures { produced passedQc simulatedReports } } }
} }`;

// Each test runs the simulator CLI for a few seconds; a loaded two-core machine can take far longer.
describe('simulator against a real server', { timeout: 180_000 }, () => {
  const data = tempDir('fangkong-simulator-');
  const env = { FANGKONG_DATA_DIR: data.path, DATABASE_URL: '', FANGKONG_RATE_LIMIT: '100000' };
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(env);
  });

  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  async function dayFigures(day: string) {
    const response = await graphql(server.graphqlUrl, DAY_FIGURES, { day });
    expect(response.errors).toBeUndefined();
    return response.data!.zoneSummary;
  }

  /** Reports on the local days a live run can touch: its periods start at most a minute before it. */
  async function liveCounts(from: Date, to: Date) {
    const days = [...new Set([localDay(new Date(from.getTime() - 60_000)), localDay(to)])];
    const counts = { checkpointReports: 0, checkpointSimulated: 0, outputSimulated: 0 };
    for (const day of days) {
      const summary = await dayFigures(day);
      counts.checkpointReports += summary.checkpointTotals.reports;
      counts.checkpointSimulated += summary.checkpointTotals.simulatedReports;
      counts.outputSimulated += summary.production.byProduct.reduce((sum: number, p: any) => sum + p.figures.simulatedReports, 0);
    }
    return counts;
  }

  async function lineStatuses() {
    const response = await graphql(server.graphqlUrl, '{ productionLines(first: 50) { edges { node { slug status } } } }');
    return Object.fromEntries(response.data!.productionLines.edges.map((e: any) => [e.node.slug, e.node.status]));
  }

  it('reports live: everything simulated, duplicates answered as such and counted once', async () => {
    const before = await liveCounts(new Date(), new Date());
    const startedAt = new Date();
    const result = await simulate([
      '--url', server.graphqlUrl, '--token', server.adminToken,
      '--rate', '20', '--speed', '1800', '--duration', '5', '--duplicates', '0.3', '--status-every', '1',
    ]);
    const after = await liveCounts(startedAt, new Date());
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const totals = parseTotals(result.stdout);

    // A person can follow it: a few status lines, not a line per report.
    const statusLines = result.stdout.split('\n').filter((line) => line.includes('req/s'));
    expect(statusLines.length).toBeGreaterThanOrEqual(3);
    expect(statusLines.length).toBeLessThan(totals.reports);
    expect(statusLines.at(-1)).toMatch(/live → 127\.0\.0\.1:\d+ \| simulated \d\d:\d\d \(×1800\) \| [\d.]+ reports\/s, [\d.]+ req\/s \(limit 20\) \| reports \d+, accepted \d+, duplicates \d+/);

    expect(totals.acceptedCheckpoint).toBeGreaterThanOrEqual(8);
    expect(totals.acceptedOutput).toBeGreaterThanOrEqual(5);
    expect(totals.resends).toBeGreaterThan(0);
    expect(totals.duplicates).toBeGreaterThanOrEqual(totals.resends);
    expect(totals).toMatchObject({ rejected: 0, failed: 0, alreadyStored: 0 });
    expect(totals.accepted).toBe(totals.reports);

    // Every report it made is on the server once, marked simulated; the resends added nothing.
    expect(after.checkpointReports - before.checkpointReports).toBe(totals.acceptedCheckpoint);
    expect(after.checkpointSimulated - before.checkpointSimulated).toBe(totals.acceptedCheckpoint);
    expect(after.outputSimulated - before.outputSimulated).toBe(totals.acceptedOutput);

    // It leaves no line idle or halted behind.
    expect(Object.values(await lineStatuses()).every((status) => status === 'PRODUCING')).toBe(true);
  });

  it('keeps to --rate however fast the simulated clock runs', async () => {
    const result = await simulate(['--url', server.graphqlUrl, '--token', server.adminToken, '--rate', '4', '--speed', '36000', '--duration', '4', '--status-every', '1']);
    expect(result.code, result.stderr).toBe(0);
    const totals = parseTotals(result.stdout);
    expect(totals.requests).toBeGreaterThanOrEqual(8);
    // One token to start with and a quarter second's worth of burst at most.
    expect(totals.requests).toBeLessThanOrEqual(Math.ceil(4 * totals.seconds) + 2);
  });

  describe('through a flaky network', () => {
    let proxy: Server;
    let proxyUrl: string;
    const stats = { refused: 0, cut: 0, forwarded: 0 };

    beforeAll(async () => {
      // Every fifth report is refused with a 503 before reaching the server; every fifth (another
      // one) reaches the server, which stores it, but the answer is lost with the connection. The same
      // request fails at most twice: with a fixed pattern, two reports retrying in step could otherwise
      // both land on failing turns until the simulator gives up, as a run here once did.
      let writes = 0;
      const failuresOf = new Map<string, number>();
      proxy = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const isWrite = body.toString().includes('mutation');
        const n = isWrite ? ++writes : 0;
        const failures = failuresOf.get(body.toString()) ?? 0;
        const fails = isWrite && failures < 2 && (n % 5 === 2 || n % 5 === 4);
        if (fails) failuresOf.set(body.toString(), failures + 1);
        if (fails && n % 5 === 2) {
          stats.refused++;
          res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream hiccup');
          return;
        }
        const upstream = await fetch(server.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': String(req.headers['content-type']), accept: String(req.headers.accept), authorization: String(req.headers.authorization) },
          body,
        });
        const text = await upstream.text();
        stats.forwarded++;
        if (fails && n % 5 === 4) {
          stats.cut++;
          req.socket.destroy();
          return;
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(text);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
    });

    afterAll(async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('retries failed and lost requests with the same key: nothing lost, nothing counted twice', async () => {
      const before = await liveCounts(new Date(), new Date());
      const startedAt = new Date();
      const result = await simulate([
        '--url', proxyUrl, '--token', server.adminToken,
        '--rate', '20', '--speed', '1800', '--duration', '5', '--duplicates', '0', '--no-line-incidents', '--status-every', '1',
      ]);
      const after = await liveCounts(startedAt, new Date());
      expect(result.code, result.stderr + result.stdout).toBe(0);
      const totals = parseTotals(result.stdout);

      const said = `proxy: ${JSON.stringify(stats)}\nsimulator:\n${result.stdout}`;
      expect(stats.refused, said).toBeGreaterThan(0);
      expect(stats.cut, said).toBeGreaterThan(0);
      expect(totals.retries, said).toBeGreaterThanOrEqual(stats.refused + stats.cut);
      // A lost answer's retry finds the report stored: answered as a duplicate, counted once.
      expect(totals.duplicates).toBeGreaterThan(0);
      expect(totals.resends).toBe(0);
      expect(totals).toMatchObject({ failed: 0, rejected: 0 });
      expect(totals.accepted).toBe(totals.reports);
      expect(after.checkpointSimulated - before.checkpointSimulated).toBe(totals.acceptedCheckpoint);
      expect(after.outputSimulated - before.outputSimulated).toBe(totals.acceptedOutput);
    });
  });

  it('reports only where an operator token may, and says so once', async () => {
    const token = await createToken(env, 'operator', ['yingbin-road-exit', 'pingguang-line-1'], 'simulator test operator');
    const result = await simulate(['--url', server.graphqlUrl, '--rate', '20', '--speed', '1800', '--duration', '4', '--status-every', '1'], { FANGKONG_TOKEN: token });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const totals = parseTotals(result.stdout);
    expect(totals.acceptedCheckpoint).toBeGreaterThan(0);
    expect(totals.acceptedOutput).toBeGreaterThan(0);
    // The other 11 sites are refused once each, then left alone.
    expect(totals.rejected).toBe(11);
    // An operator may read the server's clock (Query.clock): no fallback to this machine's.
    expect(result.stdout).not.toMatch(/using this machine's clock/);
    const notes = result.stdout.split('\n').filter((line) => line.startsWith('note: not allowed for this token'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('zhongyuan-road-exit');
    expect(notes[0]).not.toContain('yingbin-road-exit');
  });

  it('replays 4 February twice with the same totals: the second run adds nothing', async () => {
    const empty = await dayFigures('2020-02-04');
    expect(empty.checkpointTotals.reports).toBe(0);

    const args = ['--url', server.graphqlUrl, '--token', server.adminToken, '--replay', '2020-02-04', '--speed', '36000', '--rate', '500', '--concurrency', '8', '--status-every', '1'];
    const first = await simulate(args);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toMatch(/replay simulation complete/);
    const once = parseTotals(first.stdout);
    const figures = await dayFigures('2020-02-04');

    // 24 hours of 8 checkpoints; the two lines producing that day (亿中弘's were being installed).
    expect(once.acceptedCheckpoint).toBe(24 * 8);
    expect(once.acceptedOutput).toBe(24 * 2);
    expect(figures.checkpointTotals.reports).toBe(once.acceptedCheckpoint);
    expect(figures.checkpointTotals.simulatedReports).toBe(once.acceptedCheckpoint);
    expect(figures.checkpointTotals.peopleScreened).toBeGreaterThan(0);
    expect(figures.production.masks.produced).toBeGreaterThan(0);

    const second = await simulate(args);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    const twice = parseTotals(second.stdout);
    expect(twice).toMatchObject({ accepted: 0, alreadyStored: once.reports, rejected: 0, failed: 0 });
    expect(await dayFigures('2020-02-04')).toEqual(figures);
  });

  it('runs in-process: stop() lets requests in flight finish and resolves with the totals', async () => {
    const before = await liveCounts(new Date(), new Date());
    const startedAt = new Date();
    const lines: string[] = [];
    const simulator = startSimulator({ url: server.graphqlUrl, token: server.adminToken, rate: 20, speed: 1800, statusIntervalMs: 500, log: (line) => lines.push(line) });
    await simulator.ready;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(simulator.totals().ended).toBeUndefined();
    const totals = await simulator.stop();
    expect(totals.ended).toBe('stopped');
    expect(await simulator.done).toEqual(totals);
    expect(totals.accepted).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('reports/s'))).toBe(true);
    const after = await liveCounts(startedAt, new Date());
    expect(after.checkpointSimulated - before.checkpointSimulated).toBe(totals.acceptedCheckpoint);
    expect(after.outputSimulated - before.outputSimulated).toBe(totals.acceptedOutput);

    const refused = startSimulator({ url: server.graphqlUrl, token: 'fk_not-a-token' });
    await expect(refused.ready).rejects.toThrow(/refused the token/);
    await expect(refused.done).rejects.toThrow(/refused the token/);
  });

  it('exits with one clear line on bad arguments or an unreachable URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await simulate(['--url', `http://127.0.0.1:${freePort}/graphql`, '--token', 'dummy']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^fangkong-simulate: cannot reach http://127\\.0\\.0\\.1:${freePort}/graphql: connect ECONNREFUSED`));

    const badRate = await simulate(['--url', server.graphqlUrl, '--token', 'dummy', '--rate', 'fast']);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr.trim().split('\n')).toEqual(['fangkong-simulate: --rate must be a number, not "fast" (see --help)']);

    const badToken = await simulate(['--url', server.graphqlUrl, '--token', 'dummy']);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr.trim().split('\n')).toHaveLength(1);
    expect(badToken.stderr).toMatch(/refused the token/);
  });
});
