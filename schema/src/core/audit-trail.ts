// What the audit trail keeps of a changed row: who changed what is provable without copying personal
// data in clear. A personal field (core/access.ts, PERSONAL_FIELDS) keeps its name and a keyed hash
// of its value (HMAC-SHA256 under the server's audit key): whoever holds the key can show that two
// entries held the same value, or that an entry held a given value, but nobody can read it back;
// without the key even a phone number cannot be guessed by trying them all. Other fields stay in clear.
import { createHmac } from 'node:crypto';
import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { stringify } from 'safe-stable-stringify';
import { PERSONAL_FIELDS, type PersonalModel } from './access.ts';

const SEALED = 'hmac-sha256:';

const isPersonalModel = (entityType: string): entityType is PersonalModel => Object.hasOwn(PERSONAL_FIELDS, entityType);

/** The keyed hash of one field's value: the same for equal values of that field, different across fields. */
export function sealValue(auditKey: string, entityType: string, field: string, value: unknown): string {
  return SEALED + createHmac('sha256', auditKey).update(`${entityType}.${field}:${stringify(value)}`).digest('base64url');
}

const isSealed = (value: unknown) => typeof value === 'string' && value.startsWith(SEALED);

/**
 * A row as the audit trail stores it (JSON: instants as ISO text), its personal fields sealed. A
 * null stays null (that there was no note says nothing about anyone). `keepSealed`: values that are
 * hashes already stay as they are (rewriting stored entries twice changes nothing).
 */
export function auditSnapshot(auditKey: string, entityType: string, row: unknown, { keepSealed = false } = {}): Prisma.InputJsonValue | undefined {
  if (row === undefined || row === null) return undefined;
  const json = JSON.parse(JSON.stringify(row)) as Prisma.InputJsonValue;
  if (!isPersonalModel(entityType) || typeof json !== 'object' || Array.isArray(json)) return json;
  const fields = json as Record<string, unknown>;
  for (const field of PERSONAL_FIELDS[entityType]) {
    const value = fields[field];
    if (value === undefined || value === null || (keepSealed && isSealed(value))) continue;
    fields[field] = sealValue(auditKey, entityType, field, value);
  }
  return json;
}

/**
 * Seals the personal fields of audit entries written before the trail sealed them (run at start-up,
 * since it needs the key a migration does not have). Only entries with a value still in clear are
 * read; returns how many were rewritten.
 */
export async function sealStoredAuditEntries(prisma: PrismaClient, auditKey: string): Promise<number> {
  const inClear = (column: 'before' | 'after', field: string) =>
    Prisma.sql`(jsonb_typeof(${Prisma.raw(`"${column}"`)} -> ${field}) <> 'null' AND (${Prisma.raw(`"${column}"`)} ->> ${field}) NOT LIKE ${`${SEALED}%`})`;
  const conditions = Object.entries(PERSONAL_FIELDS).map(
    ([entityType, fields]) => Prisma.sql`("entityType" = ${entityType} AND (${Prisma.join(fields.flatMap((f) => [inClear('before', f), inClear('after', f)]), ' OR ')}))`,
  );
  const stale = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM "AuditEntry" WHERE ${Prisma.join(conditions, ' OR ')}`;
  for (const { id } of stale) {
    await prisma.$transaction(async (tx) => {
      const entry = await tx.auditEntry.findUniqueOrThrow({ where: { id } });
      await tx.auditEntry.update({
        where: { id },
        data: {
          before: auditSnapshot(auditKey, entry.entityType, entry.before, { keepSealed: true }) ?? Prisma.DbNull,
          after: auditSnapshot(auditKey, entry.entityType, entry.after, { keepSealed: true }) ?? Prisma.DbNull,
        },
      });
    });
  }
  return stale.length;
}
