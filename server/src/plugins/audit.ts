import type { PrismaClient } from '@fangkong/prisma';
import type { Logger } from '../logger.ts';
import type { ServerContext } from './guard.ts';

/** Records a refusal: a warning in the log and an entry in the audit trail. */
export type Audit = (ctx: ServerContext, action: string, detail: string) => void;

/** The audit trail never holds up the answer: the entry is written in the background; a failure is logged. */
export function createAudit(prisma: PrismaClient, logger: Logger): Audit {
  return (ctx, action, detail) => {
    logger.warn('access denied', { token: ctx.viewer?.label, role: ctx.viewer?.role, detail });
    void prisma.auditEntry
      .create({ data: { actor: ctx.actor, action, entityType: 'ApiToken', entityId: ctx.viewer?.tokenId ?? 'none', after: { detail } } })
      .catch((error: Error) => logger.warn('could not audit a denial', { error: error.message }));
  };
}
