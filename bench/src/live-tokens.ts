// Every operation needs a bearer token. There is no token command for a PostgreSQL deployment yet
// (`fangkong token …` reaches only an embedded database, through its admin socket), so the bench
// stores one in its own throwaway database the way the server's TokenStore does: only the SHA-256
// of the token, an ADMIN role (it may report for any checkpoint and read the event stream).
// Replace with the token command once it serves PostgreSQL too.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';

/** Creates an admin token in a migrated database; returns the token to send as "Bearer …". */
export async function createBenchToken(databaseUrl: string, label = 'bench live'): Promise<string> {
  const token = `fk_${randomBytes(32).toString('base64url')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO "ApiToken" ("id", "tokenHash", "role", "scope", "label") VALUES ($1, $2, 'ADMIN', '{}', $3)`, [
      randomUUID(),
      createHash('sha256').update(token).digest('hex'),
      label,
    ]);
  } finally {
    await client.end();
  }
  return token;
}
