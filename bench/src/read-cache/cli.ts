// `pnpm bench:read-cache` — the response cache: the read benchmark's two operations from the same
// server with the cache warm ÷ with the cache off (FANGKONG_RESPONSE_CACHE=off), and ÷ the read
// benchmark's hand-written handler (bench/src/read/baseline-server.ts, reused as it is), all three
// on one seeded PostgreSQL database; writes bench/results/read-cache.md.
//   --rounds N      rounds of alternating load (default 5)
//   --duration S    seconds of load per target and operation in each round (default 5)
//   --connections C concurrent connections (default 10)
//   --quick         a smoke run: 2 rounds × 1 s, no warm-up; writes read-cache.quick.tmp
// BENCH_POSTGRES_URL names the server to create the throwaway database on
// (default postgres://postgres@127.0.0.1:5432/postgres).
import os from 'node:os';
import pg from 'pg';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { positive } from '../shared/args.ts';
import { cleanEnv, createPostgresDatabase, type BenchDatabase } from '../shared/databases.ts';
import { load, type LoadResult } from '../shared/load.ts';
import { describeMachine, machineLine } from '../shared/machine.ts';
import { benchDir, repoRoot, writeResults } from '../shared/paths.ts';
import { startChild, type ChildServer } from '../shared/processes.ts';
import { median } from '../shared/stats.ts';
import { BENCH_RATE_LIMIT, createToken } from '../shared/tokens.ts';
import { readOperations, type ReadOperation } from '../read/operations.ts';

type Target = 'warm' | 'off' | 'raw';
const TARGETS: Target[] = ['warm', 'off', 'raw'];
const DESCRIBED: Record<Target, string> = {
  warm: 'ours, response cache warm',
  off: 'ours, FANGKONG_RESPONSE_CACHE=off',
  raw: 'hand-written node:http + pg handler',
};
const tsxNode = ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx'];
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface OperationRounds {
  operation: ReadOperation;
  runs: Record<Target, LoadResult[]>;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`answered ${response.status}: ${text.slice(0, 400)}`);
  return text;
}

async function startTargets(db: BenchDatabase, clockStart: string): Promise<{ servers: Record<Target, ChildServer>; token: string }> {
  const common = { ...cleanEnv(), LOG_LEVEL: 'silent', PORT: '0', FANGKONG_CLOCK_START: clockStart, FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT };
  const token = await createToken({ repoRoot, env: { ...cleanEnv(), ...db.serverEnv }, role: 'analyst', label: 'bench read-cache' });
  const ours = (cache: 'on' | 'off') =>
    startChild(`Fangkong server (cache ${cache})`, [...tsxNode, 'server/src/cli.ts', 'serve'], {
      cwd: repoRoot,
      env: { ...common, ...db.serverEnv, FANGKONG_RESPONSE_CACHE: cache },
      ready: /GraphQL and GraphiQL: (http:\/\/\S+\/graphql)/,
    });
  const baseline = startChild('baseline', [...tsxNode, 'src/read/baseline-server.ts'], { cwd: benchDir, env: { ...common, ...db.baselineEnv }, ready: /baseline listening: (http:\/\/\S+\/graphql)/ });
  // Awaited below; a failure meanwhile is told there, not as an unhandled rejection.
  baseline.catch(() => {});
  const started: ChildServer[] = [];
  try {
    // The two servers one after the other: each applies pending migrations under an advisory lock first.
    const warm = await ours('on');
    started.push(warm);
    const off = await ours('off');
    started.push(off);
    const raw = await baseline;
    return { servers: { warm, off, raw }, token };
  } catch (error) {
    await Promise.all([...started.map((child) => child.stop()), baseline.then((child) => child.stop(), () => {})]);
    throw error;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' }, quick: { type: 'boolean', default: false } },
  });
  const quick = values.quick ?? false;
  const rounds = Math.round(positive('rounds', values.rounds, quick ? 2 : 5));
  const seconds = positive('duration', values.duration, quick ? 1 : 5);
  const connections = Math.round(positive('connections', values.connections, 10));
  const day = '2020-02-07';
  const clockStart = '2020-02-07T10:30:00+08:00';
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const startedAt = new Date();
  const machine = await describeMachine(adminUrl);
  const loadAtStart = os.loadavg()[0] ?? 0;

  log('postgres: creating and seeding a fresh database');
  const db = await createPostgresDatabase(repoRoot, adminUrl);
  const results: OperationRounds[] = [];
  let hits = '';
  try {
    // Nothing may write while the answers are compared: an alert the evaluator raises on its own is
    // an event, which moves `asOfSeq` and evicts the warm server's entries.
    const client = new pg.Client({ connectionString: db.serverEnv.DATABASE_URL });
    await client.connect();
    await client.query('UPDATE "AlertRule" SET enabled = false');
    await client.end();
    const { servers, token } = await startTargets(db, clockStart);
    const headers = { authorization: `Bearer ${token}` };
    try {
      const operations = readOperations(day);
      const expected = new Map<ReadOperation, Record<Target, string>>();
      for (const operation of operations) {
        // The warm server's first answer keeps the entry; the second is served from it, and is what every later answer must be.
        await post(servers.warm.url, operation.body, headers);
        const bodies = {
          warm: await post(servers.warm.url, operation.body, headers),
          off: await post(servers.off.url, operation.body, headers),
          raw: await post(servers.raw.url, operation.body, headers),
        };
        const data = Object.fromEntries(TARGETS.map((t) => [t, (JSON.parse(bodies[t]) as { data: unknown }).data]));
        if (!isDeepStrictEqual(data.warm, data.off) || !isDeepStrictEqual(data.off, data.raw)) throw new Error(`${operation.name}: the three targets answer different data`);
        const extensions = JSON.parse(bodies.warm).extensions?.responseCache;
        if (extensions?.hit !== true) throw new Error(`${operation.name}: the warm server did not answer from its cache: ${bodies.warm.slice(0, 300)}`);
        if (JSON.parse(bodies.off).extensions?.responseCache) throw new Error(`${operation.name}: the server with the cache off still has one`);
        hits += `${operation.name}: ${JSON.stringify(extensions)}; `;
        expected.set(operation, bodies);
      }
      log('the three targets answer both operations with the same data; the warm one from its cache');
      const measure = (operation: ReadOperation, target: Target, duration: number) =>
        load({ url: servers[target].url, body: operation.body, headers, expectedBody: expected.get(operation)![target], seconds: duration, connections });
      if (!quick) for (const operation of operations) for (const target of TARGETS) await measure(operation, target, 2);
      for (const operation of operations) results.push({ operation, runs: { warm: [], off: [], raw: [] } });
      for (let round = 1; round <= rounds; round++) {
        // Sides alternate: warm first in odd rounds, last in even ones.
        const order: Target[] = round % 2 ? ['warm', 'off', 'raw'] : ['raw', 'off', 'warm'];
        for (const result of results) {
          for (const target of order) {
            const run = await measure(result.operation, target, seconds);
            result.runs[target].push(run);
            log(`round ${round}/${rounds} ${result.operation.name} ${target}: ${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.p50} ms${run.invalid ? `, INVALID (${run.errors} errors, ${run.mismatches} mismatches)` : ''}`);
          }
        }
      }
    } finally {
      await Promise.all(TARGETS.map((t) => servers[t].stop()));
    }
  } finally {
    await db.drop().catch((error: unknown) => log(`could not drop ${db.location}: ${String(error)}`));
  }

  const ratio = (result: OperationRounds, over: Target) =>
    result.runs.warm.map((run, i) => (run.invalid || result.runs[over][i]!.invalid ? Number.NaN : run.requestsPerSecond / result.runs[over][i]!.requestsPerSecond));
  const fixed = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const medianOf = (values: number[]) => median(values.filter(Number.isFinite));
  const rows = results.map((result) => {
    const rps = (t: Target) => fixed(medianOf(result.runs[t].map((r) => r.requestsPerSecond)), 0);
    const p50 = (t: Target) => fixed(medianOf(result.runs[t].map((r) => r.p50)), 1);
    const errors = TARGETS.map((t) => result.runs[t].reduce((n, r) => n + r.errors + r.mismatches, 0)).join(' / ');
    return `| ${result.operation.label} | ${rps('warm')} (${p50('warm')} ms) | ${rps('off')} (${p50('off')} ms) | ${rps('raw')} (${p50('raw')} ms) | ${errors} | **${fixed(medianOf(ratio(result, 'off')))}** | **${fixed(medianOf(ratio(result, 'raw')))}** |`;
  });
  const perRound = results.map(
    (result) => `- ${result.operation.label}: warm ÷ off per round ${ratio(result, 'off').map((r) => fixed(r)).join(', ')}; warm ÷ raw per round ${ratio(result, 'raw').map((r) => fixed(r)).join(', ')}.`,
  );
  const report = `# Read API with the response cache: warm ÷ cache off ÷ hand-written handler${quick ? ' (smoke run: not a measurement)' : ''}

- Machine: ${machineLine(machine)}
- Date: ${startedAt.toISOString()} (took ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s); 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end
- Settings: ${rounds} rounds; in each round each target gets ${seconds} s of load per operation, in the order warm, off, raw in odd rounds and raw, off, warm in even ones${quick ? '' : '; 2 s warm-up per operation and target'}; ${connections} connections, autocannon in the bench process, every response body checked against the verified one.
- Targets, all on one seeded PostgreSQL database (${db.location}), each its own Node process: ${TARGETS.map((t) => `${t} = ${DESCRIBED[t]}`).join('; ')}. The operations and the raw handler are the read benchmark's (bench/src/read), unchanged. Before loading, the three answer the same data and the warm one answers from its cache (${hits.trim()}).
- Data: ${db.seedSummary}

| Operation | Warm req/s (p50) | Cache off req/s (p50) | Raw req/s (p50) | Errors warm / off / raw | **Warm ÷ off** | **Warm ÷ raw** |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Ratios are medians of the per-round ratios (requests per second, measured back to back); figures beside them are medians of the rounds.

${perRound.join('\n')}

## Notes

- Nothing writes during the run, so the warm server answers every request from its cache: this is the ceiling a read reaches between events. Under writes, an entry lives until the next event that touches its types (a checkpoint report evicts zone summaries and checkpoint pages; live/cache-eviction.ts), and the next read pays the uncached price once.
- A cached answer is served once the request's parameters are read, before parsing: the token is authenticated (its check is itself cached for a few seconds) and takes its turn from the rate limit, the key is hashed, the kept answer (serialised once) is written. What remains is Yoga's request handling and the HTTP exchange, about what the hand-written handler spends on its one cheap statement for the checkpoint page, hence a ratio near 1 there; the zone summary's handler runs five statements in a snapshot, which the warm server skips.
- Two cores are shared by the load generator, the target under load, the idle targets, PostgreSQL and anything else running (see the load average); the ratios, measured back to back, are the result.
`;
  const file = writeResults('read-cache', report, { quick });
  process.stdout.write(report);
  log(`wrote ${file}`);
  const unclean = results.some((r) => TARGETS.some((t) => r.runs[t].some((run) => run.invalid)));
  return unclean ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
