import { ErrorCode } from '@fangkong/zone';
import { type DocumentNode, visit } from 'graphql';
import type { Audit } from './audit.ts';
import { refuse, useGuard } from './guard.ts';

const INTROSPECTION_ROLES = new Set(['ADMIN', 'COMMANDER', 'ANALYST']);

/** Per parsed document: Yoga's parse cache hands out the same document for the same text, so each is walked once. */
const seen = new WeakMap<DocumentNode, boolean>();

function usesIntrospection(document: DocumentNode): boolean {
  const known = seen.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  seen.set(document, found);
  return found;
}

/** The schema may be explored by analysts, commanders and admins; other roles get 403. */
export const useIntrospectionGate = (audit: Audit) =>
  useGuard(({ document, ctx }) => {
    if (!ctx.viewer || INTROSPECTION_ROLES.has(ctx.viewer.role) || !usesIntrospection(document)) return null;
    audit(ctx, 'access:denied', 'introspection');
    return refuse('introspection is available to analyst, commander and admin tokens', ErrorCode.Forbidden, 403);
  });
