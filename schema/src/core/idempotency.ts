import { createHash, randomUUID } from 'node:crypto';
import { Prisma } from '@fangkong/prisma';
import { stringify } from 'safe-stable-stringify';
import type { Tx } from './changes.ts';
import { IdempotencyConflictError } from './write-errors.ts';

export type Column = string | number | boolean | null | Prisma.Sql;

/** A write as its idempotency key names it, with the fingerprint that tells a retry (same) from a reused key (different). */
export interface Submission {
  idempotencyKey: string;
  payloadHash: string;
  /** The fingerprint rows stored before the current canonical form have for the same payload. */
  legacyHash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Until December 2026 payloads were canonicalised by sorting keys with `localeCompare`, which depends
 * on the runtime's locale; kept only to recognise retries of rows stored then.
 */
function legacyCanonical(payload: Record<string, unknown>): string {
  return JSON.stringify(payload, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}

/**
 * The submission of `payload` under `idempotencyKey`: its fingerprint over canonical JSON (keys in
 * code-unit order). The legacy fingerprint is worked out only when a stored row is compared with it
 * (sorting keys with localeCompare is slow, and a new report never needs it).
 */
export function submission(idempotencyKey: string, payload: Record<string, unknown>): Submission {
  let legacyHash: string | undefined;
  return {
    idempotencyKey,
    payloadHash: sha256(stringify(payload) ?? 'null'),
    get legacyHash() {
      legacyHash ??= sha256(legacyCanonical(payload));
      return legacyHash;
    },
  };
}

/** Whether a row stored under the submission's key holds the same payload (written now or before the canonical form changed). */
export function isRetryOf(stored: { payloadHash: string | null }, submitted: Submission): boolean {
  return stored.payloadHash === submitted.payloadHash || stored.payloadHash === submitted.legacyHash;
}

/**
 * Inserts a row unless its idempotency key exists, in one statement: the unique index decides, so
 * concurrent retries add one row. A replay returns the stored row (duplicate: true); the same key
 * with a different payload is refused.
 */
export async function insertIdempotent<R extends { payloadHash: string | null }>(
  tx: Tx,
  table: 'CheckpointReport' | 'OutputReport' | 'Allocation',
  columns: Record<string, Column>,
  key: Submission,
  find: { byId(id: string): Promise<R>; byKey(idempotencyKey: string): Promise<R> },
): Promise<{ row: R; duplicate: boolean }> {
  const id = randomUUID();
  const all: Record<string, Column> = { id, ...columns, idempotencyKey: key.idempotencyKey, payloadHash: key.payloadHash };
  const names = Prisma.join(Object.keys(all).map((name) => Prisma.raw(`"${name}"`)));
  const values = Prisma.join(Object.values(all).map((value) => (value instanceof Prisma.Sql ? value : Prisma.sql`${value}`)));
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO ${Prisma.raw(`"${table}"`)} (${names}) VALUES (${values})
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING id`;
  if (inserted.length) return { row: await find.byId(id), duplicate: false };
  const existing = await find.byKey(key.idempotencyKey);
  if (!isRetryOf(existing, key)) throw new IdempotencyConflictError(key.idempotencyKey);
  return { row: existing, duplicate: true };
}

/** An enum value cast for raw SQL. */
export const enumValue = (type: string, value: string) => Prisma.sql`${value}::${Prisma.raw(`"${type}"`)}`;
