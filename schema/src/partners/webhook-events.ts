import type { PrismaClient, Role } from '@fangkong/prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { ROLE_SCOPES, type ScopeName } from '../core/access.ts';
import { textArray } from '../core/sql.ts';
import type { EventTypeName } from '../core/event-types.ts';
import type { OutboxEvent } from '../core/live.ts';

// What a webhook endpoint receives: the events of its types and area that its role may read, each
// as the same JSON the `events` subscription gives (cursor, type, subject, payload). Which role may
// read which event follows the schema's scopes (core/access.ts), the same rules as every transport:
// figures and alerts go to partners; individual records to analysts and commanders; isolation
// events (personal data) only to health staff of the compound's area and admins.

/** The scope a role needs to receive each kind of event. */
export const WEBHOOK_EVENT_SCOPES = {
  'checkpointReport:reported': 'aggregates',
  'checkpointReport:corrected': 'aggregates',
  'outputReport:reported': 'aggregates',
  'outputReport:corrected': 'aggregates',
  'productionLine:statusChanged': 'aggregates',
  'dayApproval:approved': 'aggregates',
  'dayApproval:reopened': 'aggregates',
  'briefing:issued': 'aggregates',
  'alert:raised': 'alerts',
  'alert:acknowledged': 'alerts',
  'alert:resolved': 'alerts',
  'allocation:planned': 'records',
  'allocation:dispatched': 'records',
  'allocation:delivered': 'records',
  'product:safetyLevelSet': 'reference',
  'directive:issued': 'records',
  'task:assigned': 'records',
  'task:statusChanged': 'records',
  'finding:recorded': 'records',
  'finding:resolved': 'records',
  'resumptionApplication:submitted': 'records',
  'resumptionApplication:decided': 'records',
  'isolationCase:opened': 'personal',
  'isolationCase:closed': 'personal',
  'healthCheck:recorded': 'personal',
  'gateHousehold:registered': 'personal',
  'gatePass:issued': 'personal',
  'gatePass:statusChanged': 'personal',
  'gateScans:recorded': 'records',
  'alertRule:updated': 'admin',
  'webhookEndpoint:registered': 'admin',
  'webhookEndpoint:paused': 'admin',
  'webhookEndpoint:resumed': 'admin',
  'screen:connected': 'admin',
  'screen:disconnected': 'admin',
  'screen:commanded': 'admin',
  'screen:acknowledged': 'admin',
  'screen:renamed': 'admin',
  'seed:loaded': 'reference',
} as const satisfies Record<EventTypeName, ScopeName>;

/** Roles an endpoint may be registered for: operators report for their sites and receive nothing. */
export const WEBHOOK_ROLES: readonly Role[] = ['PARTNER', 'DISPLAY', 'ANALYST', 'COMMANDER', 'HEALTH', 'ADMIN'];

export function mayReceive(role: Role, type: string): boolean {
  const scope = (WEBHOOK_EVENT_SCOPES as Record<string, ScopeName | undefined>)[type];
  return !!scope && (ROLE_SCOPES[scope] as readonly Role[]).includes(role);
}

/** The endpoint as delivery sees it. */
export interface WebhookTarget {
  id: string;
  role: Role;
  eventTypes: string[];
  /** The path of its area ("/district/lijie/"), null for the whole zone. */
  areaPath: string | null;
}

/**
 * Where each event lies (the materialised path of its area), for the endpoints' area filters: a
 * report by its checkpoint's or line's area, an alert by its own, an approval by the approved area,
 * isolation events by their compound; null for what concerns the whole zone. One statement per batch.
 */
export async function eventAreaPaths(prisma: PrismaClient, events: OutboxEvent[]): Promise<Map<bigint, string | null>> {
  const checkpoints = new Set<string>();
  const lines = new Set<string>();
  const areas = new Set<string>();
  for (const { payload } of events) {
    if (typeof payload.checkpointId === 'string') checkpoints.add(payload.checkpointId);
    else if (typeof payload.lineId === 'string') lines.add(payload.lineId);
    else if (typeof payload.compoundId === 'string') areas.add(payload.compoundId);
    else if (typeof payload.areaId === 'string') areas.add(payload.areaId);
  }
  const rows = checkpoints.size + lines.size + areas.size
    ? await prisma.$queryRaw<{ kind: string; id: string; path: string }[]>`
        SELECT 'checkpoint' AS kind, c.id, a.path FROM "Checkpoint" c JOIN "Area" a ON a.id = c."areaId" WHERE c.id = ANY(${textArray([...checkpoints])})
        UNION ALL
        SELECT 'line', l.id, a.path FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" JOIN "Area" a ON a.id = e."areaId" WHERE l.id = ANY(${textArray([...lines])})
        UNION ALL
        SELECT 'area', a.id, a.path FROM "Area" a WHERE a.id = ANY(${textArray([...areas])})`
    : [];
  const path = new Map(rows.map((r) => [`${r.kind}:${r.id}`, r.path]));
  const result = new Map<bigint, string | null>();
  for (const { seq, payload } of events) {
    const key =
      typeof payload.checkpointId === 'string' ? `checkpoint:${payload.checkpointId}`
      : typeof payload.lineId === 'string' ? `line:${payload.lineId}`
      : typeof payload.compoundId === 'string' ? `area:${payload.compoundId}`
      : typeof payload.areaId === 'string' ? `area:${payload.areaId}`
      : null;
    // Alerts carry their area's path themselves.
    result.set(seq, key ? (path.get(key) ?? null) : typeof payload.areaPath === 'string' ? payload.areaPath : null);
  }
  return result;
}

/**
 * Whether an endpoint receives an event: one of its types, readable by its role, and inside its area
 * when it has one (an event of no area, such as stock or a zone-wide directive, goes only to
 * endpoints of the whole zone). Isolation events never go to an endpoint without an area unless it
 * is an admin's: health staff see the compounds of their areas only.
 */
export function endpointReceives(target: WebhookTarget, event: OutboxEvent, areaPath: string | null): boolean {
  if (!target.eventTypes.includes(event.type) || !mayReceive(target.role, event.type)) return false;
  if (target.role === 'HEALTH' && (!target.areaPath || !areaPath)) return false;
  if (!target.areaPath) return true;
  return !!areaPath && areaPath.startsWith(target.areaPath);
}

/** The JSON body of one delivery: the event as the `events` subscription gives it. */
export function webhookBody(endpointId: string, event: OutboxEvent): string {
  return JSON.stringify({
    endpointId: encodeGlobalID('WebhookEndpoint', endpointId),
    cursor: String(event.seq),
    type: event.type,
    at: event.occurredAt.toISOString(),
    subjectType: event.subjectType,
    subjectId: encodeGlobalID(event.subjectType, event.subjectId),
    payload: event.payload,
  });
}
