// Who the caller is, as far as the caller itself may know: its role, its label and what its scope
// names. A page shows who is signed in and offers only what the token may do (the report page lists
// an operator's own sites, not every site to fail on submit).
import { $Enums } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { prismaEnum } from '../core/enums.ts';
import type { Viewer } from '../core/context.ts';

export const RoleEnum = prismaEnum($Enums.Role, 'Role', 'What a token may do (README, Access).', {
  ADMIN: 'Everything.',
  COMMANDER: 'Read everything but personal data; command work.',
  ANALYST: 'Read reference data, aggregates and non-personal records; the event stream.',
  OPERATOR: 'Report and correct for the checkpoints and lines in its scope.',
  HEALTH: 'Isolation cases with personal data, for the compounds in its areas.',
  PARTNER: 'Aggregates and reference data through the published operations only.',
  DISPLAY: 'Reference data and aggregates, queried or subscribed.',
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The token making this request.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: 'Its role.', resolve: (viewer) => viewer.role }),
    label: t.exposeString('label', { description: 'The label it was created with (who holds it).' }),
    scope: t.exposeStringList('scope', {
      description: 'What it is limited to, by slug: checkpoints and production lines for an operator, areas for health staff; empty for roles without a scope.',
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    // Any valid token may ask who it is; the server refuses requests without one before this runs.
    authScopes: { reference: true },
    type: ViewerRef,
    description: 'The token making this request: its role, label and scope.',
    resolve: (_root, _args, ctx) => ctx.viewer!,
  }),
);
