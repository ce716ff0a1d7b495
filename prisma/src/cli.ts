// `pnpm db:migrate`, `pnpm db:migration:create <name>`, `pnpm db:seed [--history]`.
import { databaseConfigFromEnv, ConfigError } from './config.ts';
import { openDatabase } from './database.ts';
import { applyMigrations, createMigration } from './migrations.ts';
import { seedDatabase } from './seed/seed.ts';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migration:create': {
      const name = rest[0];
      if (!name) throw new ConfigError('usage: pnpm db:migration:create <name>');
      const dir = await createMigration(name);
      console.log(dir ? `wrote ${dir}` : 'schema.prisma and the migrations agree; nothing to write');
      return;
    }
    case 'migrate': {
      const db = await openDatabase(databaseConfigFromEnv());
      try {
        const applied = await applyMigrations(db);
        console.log(applied.length ? `applied ${applied.join(', ')} to ${db.location}` : `${db.location} is up to date`);
      } finally {
        await db.close();
      }
      return;
    }
    case 'seed': {
      const db = await openDatabase(databaseConfigFromEnv());
      try {
        await applyMigrations(db);
        const summary = await seedDatabase(db.prisma, { history: rest.includes('--history') });
        console.log(`seeded ${db.location}: ${summary}`);
      } finally {
        await db.close();
      }
      return;
    }
    default:
      throw new ConfigError(`unknown command ${command ?? '(none)'}; use migrate, migration:create <name> or seed [--history]`);
  }
}

/** Exits once stdout/stderr are flushed: idle pool timers would otherwise keep the process alive. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(
  () => exit(0),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? `fangkong: ${error.message}` : error);
    exit(1);
  },
);
