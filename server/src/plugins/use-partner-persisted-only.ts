import { ErrorCode } from '@fangkong/zone';
import type { PersistedOperations } from '../auth/persisted-operations.ts';
import type { Audit } from './audit.ts';
import { refuse, useGuard } from './guard.ts';

/** Partner apps may run only the operations of the published manifest, never a document of their own. */
export const usePartnerPersistedOnly = (persisted: PersistedOperations, audit: Audit) =>
  useGuard(({ document, ctx }) => {
    if (ctx.viewer?.role !== 'PARTNER' || persisted.isPersisted(document)) return null;
    audit(ctx, 'access:denied', 'partner sent an operation outside the persisted manifest');
    return refuse('partner tokens may run only the persisted operations of the published manifest (send its documentId)', ErrorCode.PersistedQueryOnly, 403);
  });
