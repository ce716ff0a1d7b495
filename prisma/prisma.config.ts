import { defineConfig } from 'prisma/config';

// For people with Prisma's native engine: `prisma migrate deploy` reads this.
// Fangkong itself migrates through the WebAssembly engine (src/migrations.ts).
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
