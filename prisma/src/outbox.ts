import type { Prisma } from './generated/client/client.ts';

// Every writer takes this transaction-scoped lock just before appending to "Event" and holds it
// until commit, so events become visible in sequence order: a reader that has seen seq n never
// later finds a smaller one committed. Live streams depend on it.
const OUTBOX_LOCK = 0x66616e67; // "fang"

export async function lockOutbox(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`;
}
