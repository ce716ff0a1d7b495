// The baseline's process: node:http answering POST /graphql for the two benchmark operations with
// the hand-written handler, on PostgreSQL (BASELINE_DATABASE_URL, a pg pool of 10 like the server's)
// or on an embedded PGlite folder (BASELINE_PGLITE_DIR, a copy of the server's seeded data).
// It reads the same request body the server gets and dispatches on operationName.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteExtensions } from '@fangkong/prisma';
import pg from 'pg';
import { checkpointPage, zoneSummary, type BaselineOptions, type SqlDatabase } from './baseline-handler.ts';

async function openPostgres(url: string): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('SELECT 1');
  return {
    query: async (text, params) => (await pool.query(text, params)).rows,
    async snapshot(work) {
      const client = await pool.connect();
      try {
        // The same round trips Prisma makes for an isolation level: BEGIN, then SET TRANSACTION.
        await client.query('BEGIN');
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const result = await work({ query: async (text, params) => (await client.query(text, params)).rows });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<SqlDatabase> {
  // The same layout the server uses: <FANGKONG_DATA_DIR>/pglite.
  const db = await PGlite.create({ dataDir: join(dataDir, 'pglite'), extensions: pgliteExtensions });
  return {
    query: async (text, params) => (await db.query(text, params)).rows as never,
    snapshot: (work) =>
      db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        return work({ query: async (text, params) => (await tx.query(text, params)).rows as never });
      }),
    close: () => db.close(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(db: SqlDatabase, options: BaselineOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, { errors: [{ message: 'POST /graphql only' }] });
  let request: { operationName?: string; variables?: { day?: string; first?: number } };
  try {
    request = JSON.parse(await readBody(req));
  } catch {
    return send(res, 400, { errors: [{ message: 'body is not JSON' }] });
  }
  try {
    if (request.operationName === 'ZoneSummary' && typeof request.variables?.day === 'string') {
      return send(res, 200, { data: await zoneSummary(db, request.variables.day, options) });
    }
    if (request.operationName === 'CheckpointPage' && typeof request.variables?.first === 'number') {
      return send(res, 200, { data: await checkpointPage(db, request.variables.first, options) });
    }
    return send(res, 400, { errors: [{ message: `unknown operation ${String(request.operationName)}` }] });
  } catch (error) {
    return send(res, 500, { errors: [{ message: (error as Error).message }] });
  }
}

async function main(): Promise<void> {
  const { BASELINE_DATABASE_URL: url, BASELINE_PGLITE_DIR: dataDir } = process.env;
  if (!url === !dataDir) throw new Error('set exactly one of BASELINE_DATABASE_URL and BASELINE_PGLITE_DIR');
  const db = url ? await openPostgres(url) : await openPglite(dataDir!);

  // The same clock rule as the server: FANGKONG_CLOCK_START, running on from when the process booted.
  const clockStart = process.env.FANGKONG_CLOCK_START ? new Date(process.env.FANGKONG_CLOCK_START).getTime() : undefined;
  const bootedAt = Date.now();
  const options: BaselineOptions = {
    timeZone: process.env.FANGKONG_TZ?.trim() || 'Asia/Shanghai',
    now: clockStart === undefined ? () => new Date() : () => new Date(clockStart + (Date.now() - bootedAt)),
  };

  const server = createServer((req, res) => void handle(db, options, req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`baseline listening: http://127.0.0.1:${port}/graphql\n`);

  const stop = () => {
    server.close();
    server.closeAllConnections();
    db.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
