import { Prisma } from '@fangkong/prisma';

/**
 * An instant as a `timestamptz` parameter, the type of every DateTime column. Passing ISO text with its
 * offset keeps it independent of the session's time zone and of the adapter's handling of Dates.
 */
export const instant = (at: Date) => Prisma.sql`${at.toISOString()}::timestamptz`;

/** A text[] parameter. */
export const textArray = (values: readonly string[]) => Prisma.sql`${[...values]}::text[]`;
