import pg from 'pg';

/** What this database's sessions were doing, on average over a phase (mean count of sessions). */
export interface SessionStates {
  /** Running a statement and not waiting. */
  running: number;
  /** Waiting for a heavyweight lock; for these writers that is the outbox advisory lock. */
  waitingForLock: number;
  /** Waiting for I/O or an internal lock: mostly flushing WAL at commit. */
  waitingForIo: number;
  /** Inside a transaction, waiting for the client to send its next statement. */
  idleInTransaction: number;
  samples: number;
}

const SAMPLE = `SELECT
    count(*) FILTER (WHERE state = 'active' AND wait_event_type IS NULL) AS running,
    count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') AS lock,
    count(*) FILTER (WHERE state = 'active' AND wait_event_type IN ('IO', 'LWLock')) AS io,
    count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_tx
  FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

/**
 * Samples pg_stat_activity on its own connection every `everyMs` until stopped: where a transaction's
 * time goes inside the database, without touching the sessions under test.
 */
export async function watchSessions(databaseUrl: string, everyMs = 100): Promise<{ stop(): Promise<SessionStates> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const sums = { running: 0, waitingForLock: 0, waitingForIo: 0, idleInTransaction: 0 };
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ running: string; lock: string; io: string; idle_tx: string }>(SAMPLE);
      const row = rows[0]!;
      sums.running += Number(row.running);
      sums.waitingForLock += Number(row.lock);
      sums.waitingForIo += Number(row.io);
      sums.idleInTransaction += Number(row.idle_tx);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      try {
        await loop;
      } finally {
        await client.end().catch(() => {});
      }
      const mean = (sum: number) => (samples ? sum / samples : 0);
      return {
        running: mean(sums.running),
        waitingForLock: mean(sums.waitingForLock),
        waitingForIo: mean(sums.waitingForIo),
        idleInTransaction: mean(sums.idleInTransaction),
        samples,
      };
    },
  };
}
