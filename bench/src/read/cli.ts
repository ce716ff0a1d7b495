// `pnpm bench:read` — the read-API benchmark on PostgreSQL, then on PGlite; writes bench/results/read-api.md.
//   --rounds N      rounds of alternating load (default 5)
//   --duration S    seconds of load per target in each round, split evenly between the two
//                   operations (default 10: 5 s each; ~4-5 minutes in all)
//   --connections C concurrent connections (default 10)
//   --wide W        the checkpoint page is also compared with PostGraphile at W connections (default 50)
//   --quick         a smoke run (what `pnpm test` runs): 2 rounds × 2 s, no warm-up, both databases at
//                   once; writes read-api.quick.tmp, never the committed table
//   --only postgres|pglite
//   --history N[,M…] also generate a longer simulated history in the bench's own database: N
//                   checkpoint reports in all (and 492 simulated checkpoints, so pages of 500 are
//                   real); each size is its own database and its own pass, e.g. --history 10000,1000000
// BENCH_POSTGRES_URL names the server to create the throwaway database on
// (default postgres://postgres@127.0.0.1:5432/postgres); BENCH_DATABASE_PREFIX their names (default fangkong_bench).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { positive } from '../shared/args.ts';
import { type AfterSeed, createPgliteDatabase, createPostgresDatabase, type Backend, type BenchDatabase } from '../shared/databases.ts';
import { growHistory, onPglite, onPostgres } from './history.ts';
import { describeMachine } from '../shared/machine.ts';
import { runReadApi, type ReadApiResult, type ReadApiSettings } from './bench.ts';
import { readApiReport, summarise } from './report.ts';
import { benchDir, repoRoot, writeResults } from '../shared/paths.ts';



async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      wide: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      history: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const settings: ReadApiSettings = {
    rounds: Math.round(positive('rounds', values.rounds, quick ? 2 : 5)),
    // A round is `duration` seconds per target; the two operations share it.
    secondsPerOperation: positive('duration', values.duration, quick ? 2 : 10) / 2,
    // Even a smoke warms up a little: on a loaded machine an embedded database's first requests can take a whole short round.
    warmupSeconds: quick ? 1 : 3,
    connections: Math.round(positive('connections', values.connections, 10)),
    wideConnections: Math.round(positive('wide', values.wide, 50)),
    day: '2020-02-07',
    clockStart: '2020-02-07T10:30:00+08:00',
    repoRoot,
    benchDir,
  };
  const histories: (number | null)[] = values.history ? values.history.split(',').map((size) => Math.round(positive('history', size, 0))) : [null];
  const backends: Backend[] = values.only ? [values.only as Backend] : ['postgres', 'pglite'];
  if (backends.some((b) => b !== 'postgres' && b !== 'pglite')) throw new Error('--only takes postgres or pglite');

  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const startedAt = new Date();
  const machine = await describeMachine(backends.includes('postgres') ? adminUrl : undefined);
  const results: ReadApiResult[] = [];
  const problems: string[] = [];

  const measureOn = async (backend: Backend, history: number | null): Promise<ReadApiResult> => {
    let db: BenchDatabase | undefined;
    try {
      log(`${backend}: creating and seeding a fresh database${history ? `, then a history of ${history} reports` : ''}`);
      const afterSeed: AfterSeed | undefined = history
        ? (where) => ('databaseUrl' in where ? onPostgres(where.databaseUrl, (sql) => growHistory(sql, history)) : onPglite(where.dataDir, (sql) => growHistory(sql, history)))
        : undefined;
      db = backend === 'postgres' ? await createPostgresDatabase(repoRoot, adminUrl, afterSeed) : await createPgliteDatabase(repoRoot, afterSeed);
      log(`${backend}: ${db.location}; ${db.seedSummary}`);
      return await runReadApi(db, settings, log, history);
    } catch (error) {
      log(`${backend}: FAILED: ${(error as Error).message}`);
      throw error;
    } finally {
      await db?.drop().catch((error: unknown) => log(`${backend}: could not drop ${db?.location}: ${String(error)}`));
    }
  };
  const failure = (backend: Backend, history: number | null, error: unknown) =>
    `${backend}${history ? ` (history ${history})` : ''}: ${(error as Error).message.split('\n')[0]}`;

  if (quick) {
    // A smoke: both databases at once, to be quick; their figures are not comparable with each other.
    const passes = backends.flatMap((backend) => histories.map((history) => ({ backend, history })));
    const outcomes = await Promise.allSettled(passes.map(({ backend, history }) => measureOn(backend, history)));
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') results.push(outcome.value);
      else problems.push(failure(passes[i]!.backend, passes[i]!.history, outcome.reason));
    });
  } else {
    passes: for (const backend of backends) {
      for (const history of histories) {
        try {
          results.push(await measureOn(backend, history));
        } catch (error) {
          problems.push(failure(backend, history, error));
          // A target that answers differently from the other is not worth timing: stop here.
          if (/responses differ|answered|no checkpoint reports/.test((error as Error).message)) break passes;
        }
      }
    }
  }

  const report = readApiReport({ machine, startedAt, finishedAt: new Date(), loadAverageAtEnd: os.loadavg()[0] ?? 0, settings, results, problems, smoke: quick });
  const resultsFile = writeResults('read-api', report, { quick });
  process.stdout.write(report);
  log(`wrote ${resultsFile}`);

  const unclean = results.flatMap((r) => r.operations).some((o) => {
    const s = summarise(o);
    const comparisons = [s, ...(s.peer ? [s.peer, s.peer.wide] : [])];
    const wrongAnswers = s.ours.errors + s.baseline.errors + (s.peer ? s.peer.peer.errors + s.peer.wide.ours.errors + s.peer.wide.peer.errors : 0);
    // A smoke on a loaded machine may get no answer at all within a run of a second (ours at 50
    // connections needs more CPU than that before its first answer; at load 13 zoneSummary at 10 did
    // too). It proves the benchmark runs and that every answer is right: there one clean round per
    // comparison is enough, and no error or wrong answer is allowed anywhere.
    if (quick) return wrongAnswers > 0 || comparisons.some((c) => c.validRounds === 0);
    return comparisons.some((c) => c.validRounds < o.rounds.length);
  });
  return problems.length || unclean ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
