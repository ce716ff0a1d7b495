import type { GateHousehold, GatePass, GateScan, HealthCheck, IsolationCase, Role } from '@fangkong/prisma';
import type { Context } from './context.ts';

/**
 * Who may read and do what. Each scope names a kind of data or work; roles map onto scopes here and
 * nowhere else. Personal data (names, phones, health checks of people in isolation) is `personal`:
 * health staff (for their areas) and admins only; everyone else reads counts.
 */
export const ROLE_SCOPES = {
  /** Places, checkpoints, enterprises, products, lines, meetings and directives. */
  reference: ['ADMIN', 'COMMANDER', 'ANALYST', 'OPERATOR', 'HEALTH', 'PARTNER', 'DISPLAY'],
  /** Figures: zone summary, series, today's counts, output, stock, staleness. */
  aggregates: ['ADMIN', 'COMMANDER', 'ANALYST', 'PARTNER', 'DISPLAY'],
  /** Individual records that are not personal: reports, allocations, tasks, inspections, applications. */
  records: ['ADMIN', 'COMMANDER', 'ANALYST'],
  /** Every alert, without personal data (operators see their own sites' alerts, health staff isolation alerts of their areas). */
  alerts: ['ADMIN', 'COMMANDER', 'ANALYST', 'PARTNER', 'DISPLAY'],
  /** The outbox event stream. */
  events: ['ADMIN', 'COMMANDER', 'ANALYST'],
  /** Command work: directives, tasks, findings, resumption decisions, supply allocation. */
  command: ['ADMIN', 'COMMANDER'],
  /** Platform settings such as alert rules. */
  admin: ['ADMIN'],
  /** Being a wall display: registering as a screen, taking its instructions, reporting how it is. */
  screen: ['ADMIN', 'DISPLAY'],
  /** Personal data of people in isolation (further limited to the health token's areas). */
  personal: ['ADMIN', 'HEALTH'],
} as const satisfies Record<string, readonly Role[]>;

export type ScopeName = keyof typeof ROLE_SCOPES;

/**
 * The fields that hold personal data, per model, named once: the schema marks them "(personal data)"
 * and the audit trail never keeps them in clear (core/audit-trail.ts). Everything else about a case
 * (ids, compound, status, dates, who acted) is not personal by itself.
 */
export const PERSONAL_FIELDS = {
  IsolationCase: ['personName', 'phone', 'reason'],
  HealthCheck: ['temperature', 'symptoms', 'note'],
  GateHousehold: ['room'],
  GatePass: ['holderName', 'holderPhone', 'phoneDigits'],
  GateScan: ['temperature'],
} as const satisfies {
  IsolationCase: readonly (keyof IsolationCase)[];
  HealthCheck: readonly (keyof HealthCheck)[];
  GateHousehold: readonly (keyof GateHousehold)[];
  GatePass: readonly (keyof GatePass)[];
  GateScan: readonly (keyof GateScan)[];
};

export type PersonalModel = keyof typeof PERSONAL_FIELDS;

/** A field's description, marked "(personal data)" when PERSONAL_FIELDS names it. */
export function describeField<M extends PersonalModel>(model: M, field: string, description: string): string {
  return (PERSONAL_FIELDS[model] as readonly string[]).includes(field) ? `${description} (personal data)` : description;
}

/**
 * How many fields one operation of each role may produce, estimated before it runs with every list
 * at its real length: pages by `first`, chart series by their buckets (a 400-day hourly series of
 * every figure is 9,600 buckets × 11 fields, over every budget). The published operations of wall
 * displays, partners and operators fit in 12,000 (the report page's targets are 11,000); analysis
 * gets 20,000, about 75 days of every figure by the hour; admins keep the 100,000 every role had.
 * A budget bounds the work and memory of one answer; how long the event loop is held does not grow
 * with it (series are read a week per statement and turned into fields 100 points per turn), which
 * test/src/heavy-reads.test.ts measures at each role's heaviest allowed series.
 */
export const READ_BUDGET = {
  ADMIN: 100_000,
  COMMANDER: 20_000,
  ANALYST: 20_000,
  OPERATOR: 12_000,
  HEALTH: 12_000,
  PARTNER: 12_000,
  DISPLAY: 12_000,
} as const satisfies Record<Role, number>;

export function hasScope(ctx: Context, scope: ScopeName): boolean {
  return !!ctx.viewer && (ROLE_SCOPES[scope] as readonly Role[]).includes(ctx.viewer.role);
}

/** An operator may report for the checkpoints and lines in its scope; admins for all. */
export function mayOperate(ctx: Context, id: string): boolean {
  const viewer = ctx.viewer;
  return !!viewer && (viewer.role === 'ADMIN' || (viewer.role === 'OPERATOR' && viewer.scope.includes(id)));
}

/** Health staff see and manage people isolated in the compounds of their areas; admins all. */
export function mayCareFor(ctx: Context, compoundId: string): boolean {
  const viewer = ctx.viewer;
  return !!viewer && (viewer.role === 'ADMIN' || (viewer.role === 'HEALTH' && viewer.compoundIds.includes(compoundId)));
}

/** Each scope of the schema's `authScopes` for this caller: booleans, and checks taking an id. */
export function scopesOf(ctx: Context) {
  return {
    reference: hasScope(ctx, 'reference'),
    aggregates: hasScope(ctx, 'aggregates'),
    records: hasScope(ctx, 'records'),
    events: hasScope(ctx, 'events'),
    alerts: hasScope(ctx, 'alerts'),
    admin: hasScope(ctx, 'admin'),
    screen: hasScope(ctx, 'screen'),
    command: hasScope(ctx, 'command'),
    personal: hasScope(ctx, 'personal'),
    operates: (id: string) => mayOperate(ctx, id),
    caresFor: (compoundId: string) => mayCareFor(ctx, compoundId),
  };
}
