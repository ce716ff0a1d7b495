import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildApp } from './app.ts';
import type { TokenStore } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { PrismaClient } from '@fangkong/prisma';
import { startSimulator } from '@fangkong/simulator';

// `pnpm start`: the whole command room on one machine — database, server, wall display, report
// page and a simulator feeding live reports through the public API — with tokens to open them.

interface LocalTokens {
  display: string;
  operator: string;
  analyst: string;
}

/** Reuses the local demo tokens kept in the data folder while they still work; makes new ones otherwise. */
async function localTokens(tokens: TokenStore, file: string, operatorScope: string[]): Promise<LocalTokens> {
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as LocalTokens;
    const valid = await Promise.all([saved.display, saved.operator, saved.analyst].map((t) => tokens.verify(t)));
    if (valid.every(Boolean)) return saved;
  }
  const make = async (role: 'DISPLAY' | 'OPERATOR' | 'ANALYST', scope: string[] = []) =>
    (await tokens.create({ role, scope, label: `local ${role.toLowerCase()} (pnpm start)` })).token;
  const created = { display: await make('DISPLAY'), operator: await make('OPERATOR', operatorScope), analyst: await make('ANALYST') };
  // Local demo only: the data folder already holds the whole database, and the tokens are printed anyway.
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}

function buildClientIfMissing(clientDist: string, say: (line: string) => void): void {
  if (existsSync(join(clientDist, 'index.html'))) return;
  say('building the wall display and report page (first start only)…');
  const result = spawnSync('pnpm', ['--filter', '@fangkong/client', 'build'], { cwd: join(dirname(clientDist), '..'), stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) say('the client build failed; the API runs without the wall display (see above)');
}

/**
 * The demo's one clock: it continues where the data ends (the simulated history on 10 Feb 2020 at
 * 00:00, or where the last run stopped), so the wall opens in February 2020 with the history as
 * "yesterday", the simulator (which reads the server's clock) continues it without a gap, and no
 * period is reported twice across restarts. FANGKONG_CLOCK_START, when set, wins.
 */
export async function demoClockStart(prisma: PrismaClient): Promise<Date | undefined> {
  const [checkpoints, lines] = await Promise.all([
    prisma.checkpointReport.aggregate({ _max: { periodEnd: true } }),
    prisma.outputReport.aggregate({ _max: { periodEnd: true } }),
  ]);
  const ends = [checkpoints._max.periodEnd, lines._max.periodEnd].filter((d): d is Date => d !== null).map((d) => d.getTime());
  const end = ends.length ? Math.max(...ends) : undefined;
  // Data that reaches the real present (a database reported to live) needs no demo clock.
  return end !== undefined && end < Date.now() - 3_600_000 ? new Date(end) : undefined;
}

export async function startLiveSystem(config: ServerConfig, logger: Logger): Promise<() => Promise<void>> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  buildClientIfMissing(config.clientDist, say);
  say('preparing the database (migrations, reference data, simulated history 27 Jan – 9 Feb 2020)…');
  const app = await buildApp(config, { logger, seedHistory: true, clockStart: demoClockStart });
  await app.start();
  const prisma = app.database.prisma;
  const sites = [
    ...(await prisma.checkpoint.findMany({ where: { status: 'ACTIVE' }, select: { id: true } })),
    ...(await prisma.productionLine.findMany({ select: { id: true } })),
  ].map((s) => s.id);
  const tokenFile = config.database.databaseUrl ? join(config.database.dataDir, 'local-tokens-postgres.json') : join(config.database.dataDir, 'local-tokens.json');
  const tokens = await localTokens(app.tokens, tokenFile, sites);

  const simulator = startSimulator({
    url: `${app.url}/graphql`,
    token: tokens.operator,
    speed: 240,
    statusIntervalMs: 15_000,
    // Something for the wall's alerts strip: a fever case at 迎宾路 every few minutes, a compound gate silent from the start for ten minutes.
    alertConditions: { feverEveryMs: 180_000, silentGateAfterMs: 0, silentForMs: 600_000 },
    log: (line) => say(`  simulator │ ${line}`),
  });
  await simulator.ready;

  say(`
Fangkong is running on ${app.database.location}, clock at ${app.now().toISOString()}${Math.abs(app.now().getTime() - Date.now()) > 60_000 ? ' (demo clock: the data continues from there)' : ''}
  Wall display   ${app.url}/?token=${tokens.display}
  Report page    ${app.url}/report?token=${tokens.operator}
  GraphiQL       ${app.url}/graphql   (Headers: {"Authorization": "Bearer ${tokens.analyst}"})
  Health         ${app.url}/health · ${app.url}/ready
  Simulator      live reports through the API, marked simulated (${sites.length} sites, ×240 daily rhythm)
Press Ctrl-C to stop; the data stays in ${config.database.databaseUrl ? 'the database' : config.database.dataDir}.
`);

  return async () => {
    const totals = await simulator.stop();
    say(`simulator stopped: ${totals.accepted} reports accepted, ${totals.duplicates} duplicates absorbed`);
    await app.stop();
  };
}
