import { Prisma } from '@fangkong/prisma';

/**
 * An instant as a UTC `timestamp`, the form Prisma stores DateTime columns in. Passing ISO text and
 * converting in SQL keeps comparisons independent of the session's time zone and of the adapter.
 */
export const utc = (instant: Date) => Prisma.sql`(${instant.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** A text[] parameter. */
export const textArray = (values: readonly string[]) => Prisma.sql`${[...values]}::text[]`;
