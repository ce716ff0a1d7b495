import { type SeedOptions, seedDatabase } from '@fangkong/prisma';

type Prisma = Parameters<typeof seedDatabase>[0];

/**
 * Columns later migrations add that today's seed writes. A test that seeds a database migrated only
 * part of the way lends the missing ones to the older tables for the seeding and takes them back
 * before migrating the rest (Prisma's client writes every column it knows).
 */
const LATER_COLUMNS: { table: string; column: string; type: string }[] = [
  ...['CheckpointReport', 'OutputReport'].map((table) => ({ table, column: 'predatesOverlapRule', type: 'BOOLEAN NOT NULL DEFAULT false' })),
  ...['Checkpoint', 'ProductionLine'].flatMap((table) => ['opensAtMinute', 'closesAtMinute'].map((column) => ({ table, column, type: 'INTEGER' }))),
  ...['openedAt', 'closedAt'].map((column) => ({ table: 'ProductionLine', column, type: 'TIMESTAMPTZ(3)' })),
  { table: 'Product', column: 'safetyLevel', type: 'INTEGER NOT NULL DEFAULT 0' },
];

/** Today's seed on a database at an older migration: missing later columns lent for it, then dropped. */
export async function seedOlderSchema(prisma: Prisma, options: SeedOptions): Promise<void> {
  const present = new Set(
    (await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = current_schema()`)).map(
      (row) => row.name,
    ),
  );
  const lent = LATER_COLUMNS.filter(({ table, column }) => !present.has(`${table}.${column}`));
  for (const { table, column, type } of lent) await prisma.$executeRawUnsafe(`ALTER TABLE "${table}" ADD COLUMN "${column}" ${type}`);
  await seedDatabase(prisma, options);
  for (const { table, column } of lent) await prisma.$executeRawUnsafe(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
}
