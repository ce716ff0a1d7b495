// `pnpm serve`: the server alone, for production. `pnpm start`: the whole live system on this
// machine (server, client, simulated history and a live simulator). `pnpm fangkong token …`: API tokens;
// `pnpm fangkong audit prune …`: audit retention.
import { ConfigError } from '@fangkong/prisma';
import { serverConfigFromEnv } from './config.ts';
import { createLogger } from './logger.ts';

const usage = `Usage: pnpm serve | pnpm start | pnpm fangkong token <create|list|revoke> … | pnpm fangkong audit prune --before <date>

  serve   the server alone (production): GraphQL, GraphiQL, WebSocket and SSE on /graphql,
          the built client on / and /report (and the gate pages /gate, /gate/cards), /health and /ready
  start   the whole live system on this machine: migrations, reference data and simulated
          history, the server, the client and a live simulator, with tokens to open them
  token   create, list and revoke API tokens (README, Access: tokens and roles)
  audit   prune --before <date>: delete audit entries older than the date (README, Audit trail)

Configured by the environment (README, Configuration): DATABASE_URL (else the embedded database in
FANGKONG_DATA_DIR, default .data), HOST and PORT (127.0.0.1:4000), FANGKONG_TZ (Asia/Shanghai),
REDIS_URL and FANGKONG_REDIS_PREFIX, FANGKONG_RATE_LIMIT, FANGKONG_CORS_ORIGINS, FANGKONG_MIN_INTERVAL_MS,
FANGKONG_WS_INIT_TIMEOUT_MS, FANGKONG_WS_KEEPALIVE_MS, FANGKONG_WS_MAX_PER_TOKEN, FANGKONG_WS_MAX_PER_ADDRESS, FANGKONG_WS_MAX_LIFETIME_MS,
FANGKONG_SSE_STREAMS_PER_TOKEN, FANGKONG_SSE_RESERVATION_TIMEOUT_MS, FANGKONG_CLOCK_START, FANGKONG_TRACE_SQL,
FANGKONG_AUDIT_KEY, FANGKONG_PASS_KEY, FANGKONG_GATE_SETTLE_MS, LOG_LEVEL.`;

async function main(command: string | undefined, rest: string[]): Promise<void> {
  if (command !== 'token' && [command, ...rest].some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (command === 'token' || command === 'audit') {
    // Loaded on demand: the admin commands need neither the server nor the live system.
    if (command === 'token') await (await import('./token-cli.ts')).tokenCommand(rest);
    else await (await import('./audit-cli.ts')).auditCommand(rest);
    // Exit once output is flushed: idle database pools would otherwise hold the process open.
    process.stdout.write('', () => process.exit(0));
    return;
  }
  if (command !== 'serve' && command !== 'start') throw new ConfigError(`unknown command ${command ?? '(none)'}; use serve, start, token or audit`);
  // The demo prints what a person follows; the server's own log keeps to warnings unless asked.
  const config = serverConfigFromEnv(command === 'start' ? { LOG_LEVEL: 'warn', ...process.env } : process.env);
  const logger = createLogger(config.logLevel);
  let shutdown: () => Promise<void>;
  if (command === 'start') {
    const { startLiveSystem } = await import('./live-system.ts');
    shutdown = await startLiveSystem(config, logger);
  } else {
    const { buildApp } = await import('./app.ts');
    const app = await buildApp(config, { logger });
    await app.start();
    process.stdout.write(`Fangkong is running\n  GraphQL and GraphiQL: ${app.url}/graphql\n  health: ${app.url}/health  ready: ${app.url}/ready\n`);
    shutdown = () => app.stop();
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv[2], process.argv.slice(3)).catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `fangkong: ${error.message}\n` : `fangkong: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
