// The gate-scan benchmark: scans per second stored through `recordGateScans` (HTTP, GraphQL, the
// signature of every code checked, each scan judged, one transaction with its audit entry and outbox
// event, the gate's closed hours counted) ÷ the same rows inserted by raw `pg` with the same
// idempotency (one INSERT … ON CONFLICT ("idempotencyKey") DO NOTHING per batch, and the keys not
// inserted read back), into a table of the same shape, indexes and foreign keys. Same database, same
// run, sides alternating (the order flips every round), medians of the rounds. Every batch is sent
// twice on our side, the second time answered as duplicates: a retried batch is part of a gate's life.
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { createEmptyDatabase } from '../shared/databases.ts';
import { repoRoot } from '../shared/paths.ts';
import { median } from '../shared/stats.ts';
import { createToken } from '../shared/tokens.ts';
import { graphqlPoster, serverEnv, startServer } from '../reporting/server.ts';

export interface GateBenchOptions {
  rounds?: number;
  seconds?: number;
  concurrency?: number;
  batch?: number;
  passes?: number;
}

const GATE = 'linxigu-gate';
const COMPOUND = 'changlv-linxigu';
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const RECORD = `mutation($gate: ID!, $scans: [GateScanInput!]!) { recordGateScans(checkpointId: $gate, scans: $scans) {
  __typename ... on GateScanBatchPayload { stored duplicates } ... on Error { code message } } }`;

/** The code as the server hashes it (schema gate-scans/pass-code.ts: upper case, no separators, O as 0, I and L as 1). */
const codeHash = (code: string) =>
  createHash('sha256')
    .update(code.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1'))
    .digest('hex');

interface Scan {
  idempotencyKey: string;
  code: string;
  direction: 'IN' | 'OUT';
  temperature: number;
  scannedAt: string;
}

interface Round {
  ours: number;
  baseline: number;
  ratio: number;
  oursStored: number;
  oursDuplicates: number;
  baselineStored: number;
  errors: number;
}

export async function runGateBench(options: GateBenchOptions = {}) {
  const rounds = options.rounds ?? 5;
  const seconds = options.seconds ?? 10;
  const concurrency = options.concurrency ?? 4;
  const batchSize = options.batch ?? 100;
  const passCount = options.passes ?? 40;
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createEmptyDatabase(adminUrl, 'fangkong_bench_gate');
  const server = await startServer({ repoRoot, databaseUrl: database.url });
  const pool = new pg.Pool({ connectionString: database.url, max: concurrency });
  const token = await createToken({ repoRoot, env: serverEnv(database.url), role: 'admin', label: 'gate bench' });
  const http = graphqlPoster(server.url, concurrency + 1, token);
  const call = async (query: string, variables: Record<string, unknown>) => {
    const answer = await http.post(JSON.stringify({ query, variables }));
    const body = JSON.parse(answer.body) as { data?: Record<string, any>; errors?: unknown };
    if (answer.status !== 200 || body.errors) throw new Error(`${answer.status} ${answer.body.slice(0, 300)}`);
    return body.data!;
  };

  try {
    // The compound's residents: one household, `passCount` passes.
    const household = await call(`mutation($c: ID!) { registerGateHousehold(compoundId: $c, room: "1-1-101") { ... on GateHouseholdPayload { household { id } } } }`, {
      c: globalId('Area', COMPOUND),
    });
    const passes: { id: string; code: string }[] = [];
    for (let i = 0; i < passCount; i++) {
      const issued = await call(`mutation($h: ID!, $n: String!, $p: String!) { issueGatePass(householdId: $h, holderName: $n, holderPhone: $p) { ... on GatePassPayload { pass { id code } } } }`, {
        h: household.registerGateHousehold.household.id,
        n: `住户${i}`,
        p: `139${String(i).padStart(8, '0')}`,
      });
      const pass = issued.issueGatePass.pass;
      passes.push({ id: Buffer.from(pass.id, 'base64').toString().split(':')[1]!, code: pass.code });
    }
    // The baseline's table: the same columns, defaults, indexes (the unique key) and foreign keys.
    await pool.query(`CREATE TABLE "GateScanBaseline" (LIKE "GateScan" INCLUDING ALL);
      ALTER TABLE "GateScanBaseline" ADD FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"(id), ADD FOREIGN KEY ("passId") REFERENCES "GatePass"(id)`);

    let n = 0;
    const newBatch = (): { scans: Scan[]; passIds: string[] } => {
      const now = Date.now();
      const scans: Scan[] = [];
      const passIds: string[] = [];
      for (let i = 0; i < batchSize; i++) {
        const pass = passes[n++ % passes.length]!;
        passIds.push(pass.id);
        // Scans of the last few minutes, as a phone back online sends them.
        scans.push({ idempotencyKey: randomUUID(), code: pass.code, direction: n % 2 ? 'IN' : 'OUT', temperature: 36 + (n % 10) / 10, scannedAt: new Date(now - ((n * 7919) % 300_000)).toISOString() });
      }
      return { scans, passIds };
    };

    const ours = async (scans: Scan[]) => {
      const data = await call(RECORD, { gate: globalId('Checkpoint', GATE), scans });
      if (data.recordGateScans.__typename !== 'GateScanBatchPayload') throw new Error(JSON.stringify(data.recordGateScans));
      return data.recordGateScans as { stored: number; duplicates: number };
    };

    const baseline = async (scans: Scan[], passIds: string[]) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const rows = scans.map((s, i) => [randomUUID(), GATE, passIds[i], codeHash(s.code), s.direction, s.temperature, s.scannedAt, 'VALID', null, 'bench', s.idempotencyKey, codeHash(JSON.stringify(s))]);
        const columns = ['id', 'checkpointId', 'passId', 'codeHash', 'direction', 'temperature', 'scannedAt', 'verdict', 'deviceVerdict', 'recordedBy', 'idempotencyKey', 'payloadHash'];
        const values = rows.map((row, r) => `(${row.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
        const inserted = await client.query(
          `INSERT INTO "GateScanBaseline" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values} ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING "idempotencyKey"`,
          rows.flat(),
        );
        const done = new Set(inserted.rows.map((r) => r.idempotencyKey as string));
        const rest = scans.map((s) => s.idempotencyKey).filter((k) => !done.has(k));
        const earlier = rest.length ? await client.query(`SELECT "idempotencyKey", "payloadHash" FROM "GateScanBaseline" WHERE "idempotencyKey" = ANY($1)`, [rest]) : { rowCount: 0 };
        await client.query('COMMIT');
        return { stored: inserted.rowCount ?? 0, duplicates: earlier.rowCount ?? 0 };
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };

    /** Uploaders for `seconds`, each batch sent twice (the second a retry); scans stored per second. */
    async function side(send: (scans: Scan[], passIds: string[]) => Promise<{ stored: number; duplicates: number }>) {
      const until = Date.now() + seconds * 1000;
      let stored = 0;
      let duplicates = 0;
      let errors = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (Date.now() < until) {
            const { scans, passIds } = newBatch();
            try {
              const first = await send(scans, passIds);
              const again = await send(scans, passIds);
              stored += first.stored + again.stored;
              duplicates += again.duplicates;
              if (first.stored !== scans.length || again.duplicates !== scans.length) errors++;
            } catch {
              errors++;
            }
          }
        }),
      );
      return { perSecond: stored / ((Date.now() - started) / 1000), stored, duplicates, errors };
    }

    // Warm-up of both sides, then alternating sides; the order flips every round.
    const warmUp = (await side(ours)).stored;
    await side(baseline);
    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const);
      const r: Record<string, Awaited<ReturnType<typeof side>>> = {};
      for (const which of order) r[which] = await side(which === 'ours' ? ours : baseline);
      results.push({
        ours: r.ours!.perSecond,
        baseline: r.baseline!.perSecond,
        ratio: r.ours!.perSecond / r.baseline!.perSecond,
        oursStored: r.ours!.stored,
        oursDuplicates: r.ours!.duplicates,
        baselineStored: r.baseline!.stored,
        errors: r.ours!.errors + r.baseline!.errors,
      });
    }
    // Stored once each: the table holds every scan our side said it stored, and the settled reports count the valid inward ones.
    const { rows } = await pool.query(`SELECT count(*)::int AS scans FROM "GateScan" WHERE "checkpointId" = $1`, [GATE]);
    const claimed = warmUp + results.reduce((sum, r) => sum + r.oursStored, 0);
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    const ratio = median(results.map((r) => r.ratio));
    const markdown = [
      '# Gate scans: batch upload throughput ÷ raw pg inserting the same rows',
      '',
      `${new Date().toISOString()} · ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)} · PostgreSQL · ${rounds} rounds of ${seconds} s per side, sides alternating · ${concurrency} concurrent uploaders · batches of ${batchSize} scans of ${passCount} passes, each batch sent twice (the second answered as duplicates)`,
      '',
      'Ours: `recordGateScans` over HTTP (every code verified and judged, one transaction with its audit entry and outbox event, closed hours counted into GATE_SCAN reports). Baseline: one `INSERT … ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING` per batch plus the read-back of the keys not inserted, in one transaction, by `pg` in this process, into a table of the same shape, indexes and foreign keys.',
      '',
      '| round | ours (scans/s) | raw pg (scans/s) | ours ÷ raw | our duplicates answered | errors |',
      '|---|---|---|---|---|---|',
      ...results.map((r, i) => `| ${i + 1} | ${r.ours.toFixed(0)} | ${r.baseline.toFixed(0)} | ${r.ratio.toFixed(3)} | ${r.oursDuplicates} | ${r.errors} |`),
      `| **median** | ${median(results.map((r) => r.ours)).toFixed(0)} | ${median(results.map((r) => r.baseline)).toFixed(0)} | **${ratio.toFixed(3)}** | ${results.reduce((s, r) => s + r.oursDuplicates, 0)} | ${errors} |`,
      '',
      `Scans of the gate in the database after the warm-up and the rounds: ${rows[0].scans}; our side answered ${claimed} as stored${rows[0].scans === claimed ? ' (each once)' : ' (MISMATCH)'}.`,
      '',
    ].join('\n');
    return { markdown, ratio, oursPerSecond: median(results.map((r) => r.ours)), valid: errors === 0 && rows[0].scans === claimed };
  } finally {
    http.close();
    await pool.end();
    await server.stop();
    await database.drop();
  }
}
