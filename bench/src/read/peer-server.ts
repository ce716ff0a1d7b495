// The peer's process: PostGraphile 5 (amber preset, grafserv on node:http, the pg adaptor with a pool
// of 10 like the server's) over the bench's own migrated database (PEER_DATABASE_URL), to set a
// GraphQL server generated from the tables beside ours. It serves the checkpoint page; today's
// counts per checkpoint come from a computed column function it installs in that database only
// (never in our migrations), so the page is the same data as ours, in PostGraphile's own shape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/**
 * PostGraphile 5 needs Promise.withResolvers (Node 22); we run Node 20. The same contract as the
 * standard method, installed before PostGraphile is loaded (hence the dynamic imports below).
 */
function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/**
 * `Checkpoint.today(day, timeZone)`: a checkpoint's counts over the zone's local day, the same sums
 * and filters as the schema's today counts (current versions, by period start). PostGraphile
 * recognises a STABLE function named `<table>_<field>` whose first argument is the table's row as a
 * computed column and inlines it into the page's one statement. Integers, as ours answer them
 * (PostGraphile would give bigint sums as strings).
 */
const todayCountsSql = `
  DROP FUNCTION IF EXISTS "Checkpoint_today"("Checkpoint", date, text);
  DROP TYPE IF EXISTS peer_checkpoint_counts;
  CREATE TYPE peer_checkpoint_counts AS (
    "vehiclesInspected" int, "peopleScreened" int, "feverCases" int, "hubeiLinked" int,
    "referred" int, "disinfections" int, "reports" int, "simulatedReports" int
  );
  CREATE FUNCTION "Checkpoint_today"(c "Checkpoint", day date, time_zone text) RETURNS peer_checkpoint_counts
  LANGUAGE sql STABLE AS $$
    SELECT COALESCE(SUM(r."vehiclesInspected"), 0)::int, COALESCE(SUM(r."peopleScreened"), 0)::int,
      COALESCE(SUM(r."feverCases"), 0)::int, COALESCE(SUM(r."hubeiLinked"), 0)::int,
      COALESCE(SUM(r."referred"), 0)::int, COALESCE(SUM(r."disinfections"), 0)::int,
      COUNT(r.id)::int, (COUNT(r.id) FILTER (WHERE r.source = 'SIMULATED'))::int
    FROM "CheckpointReport" r
    WHERE r."checkpointId" = c.id AND r."supersededAt" IS NULL
      AND r."periodStart" >= (day::timestamp AT TIME ZONE time_zone)
      AND r."periodStart" < ((day + 1)::timestamp AT TIME ZONE time_zone)
  $$;`;

async function main(): Promise<void> {
  const url = process.env.PEER_DATABASE_URL;
  if (!url) throw new Error('set PEER_DATABASE_URL');
  polyfillPromiseWithResolvers();
  const [{ postgraphile }, { PostGraphileAmberPreset }, { makePgService }, { grafserv }, { jsonPgSmartTags }] = await Promise.all([
    import('postgraphile'),
    import('postgraphile/presets/amber'),
    import('postgraphile/adaptors/pg'),
    import('postgraphile/grafserv/node'),
    import('postgraphile/utils'),
  ]);

  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Installed before the schema is introspected, so the computed column is part of it.
  await pool.query(todayCountsSql);

  const pgl = postgraphile({
    extends: [PostGraphileAmberPreset],
    // PostGraphile offers ordering only by indexed columns; our page is ordered by kind, then id
    // (the baseline's ORDER BY kind, id), and the seed's handful of checkpoints is no reason for an index.
    plugins: [jsonPgSmartTags({ version: 1, config: { class: { Checkpoint: { attribute: { kind: { tags: { behavior: '+orderBy' } } } } } } })],
    pgServices: [makePgService({ pool, schemas: ['public'] })],
    // A plain endpoint: no GraphiQL page, no schema watching, no websockets.
    grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false, websockets: false },
  });
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server);
  // Built now, not on the first request: the warm-up and the answer check come after.
  await pgl.getSchema();
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`peer listening: http://127.0.0.1:${port}/graphql\n`);

  const stop = () => {
    server.close();
    server.closeAllConnections();
    Promise.resolve(pgl.release())
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`peer: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
