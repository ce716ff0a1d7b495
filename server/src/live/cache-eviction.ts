import type { EventTypeName } from '@fangkong/schema';

/**
 * Which cached answers an outbox event makes stale, by GraphQL type name: an answer is evicted
 * when it holds an object of a named type (or an empty list of one). Only the root fields the
 * response cache admits (plugins/use-response-cache.ts, CACHED_ROOT_FIELDS) matter here; their
 * answers reach these types. Whatever an event changes in them is a field of a named type, or a
 * list of one: today's counts and `lastReportAt` live on `Checkpoint`, a line's output and
 * utilisation on `ProductionLine`, every zone figure under `ZoneSummary`, series as their points.
 *
 * `Query` is in every answer: an event mapped to it evicts everything. Kinds whose effects on
 * cached answers were not worked out (command work, alerts, approvals, screens, …) take it, so a
 * kind added to EVENT_TYPES must be placed here before it compiles, and is safe until it is.
 */
const EVERYTHING = ['Query'];

const CHECKPOINT_FIGURES = [
  'Checkpoint',
  'CheckpointCounts',
  'CheckpointKindCounts',
  'CheckpointReport',
  'CheckpointReportsConnection',
  'CheckpointReportsConnectionEdge',
  'CheckpointSeriesPoint',
  'ZoneSummary',
];

const LINE_FIGURES = [
  'ProductionLine',
  'OutputReport',
  'ProductionLineOutputReportsConnection',
  'ProductionLineOutputReportsConnectionEdge',
  'OutputTotals',
  'LineStatusChange',
  'ProductOutput',
  'ProductionFigures',
  'ProductionSummary',
  'ProductionSeriesPoint',
  'ProductStock',
  'StockLevels',
  'ZoneSummary',
];

const STOCK = ['Allocation', 'QueryAllocationsConnection', 'QueryAllocationsConnectionEdge', 'ProductStock', 'StockLevels', 'ZoneSummary'];

const ISOLATION = ['IsolationCase', 'HealthCheck', 'QueryIsolationCasesConnection', 'QueryIsolationCasesConnectionEdge', 'ZoneSummary'];

export const EVICTS: Record<EventTypeName, readonly string[]> = {
  'checkpointReport:reported': CHECKPOINT_FIGURES,
  'checkpointReport:corrected': CHECKPOINT_FIGURES,
  'outputReport:reported': LINE_FIGURES,
  'outputReport:corrected': LINE_FIGURES,
  'productionLine:statusChanged': LINE_FIGURES,
  'allocation:planned': STOCK,
  'allocation:dispatched': STOCK,
  'allocation:delivered': STOCK,
  'product:safetyLevelSet': ['Product', ...STOCK],
  'isolationCase:opened': ISOLATION,
  'isolationCase:closed': ISOLATION,
  'healthCheck:recorded': ISOLATION,
  'directive:issued': ['Directive', 'Meeting', 'QueryMeetingsConnection', 'QueryMeetingsConnectionEdge'],
  'task:assigned': EVERYTHING,
  'task:statusChanged': EVERYTHING,
  'finding:recorded': EVERYTHING,
  'finding:resolved': EVERYTHING,
  'resumptionApplication:submitted': EVERYTHING,
  'resumptionApplication:decided': EVERYTHING,
  'alert:raised': EVERYTHING,
  'alert:acknowledged': EVERYTHING,
  'alert:resolved': EVERYTHING,
  'alertRule:updated': EVERYTHING,
  'dayApproval:approved': EVERYTHING,
  'dayApproval:reopened': EVERYTHING,
  'briefing:issued': EVERYTHING,
  'gateHousehold:registered': EVERYTHING,
  'gatePass:issued': EVERYTHING,
  'gatePass:statusChanged': EVERYTHING,
  'gateScans:recorded': EVERYTHING,
  'webhookEndpoint:registered': EVERYTHING,
  'webhookEndpoint:paused': EVERYTHING,
  'webhookEndpoint:resumed': EVERYTHING,
  'screen:connected': EVERYTHING,
  'screen:disconnected': EVERYTHING,
  'screen:commanded': EVERYTHING,
  'screen:acknowledged': EVERYTHING,
  'screen:renamed': EVERYTHING,
  'seed:loaded': EVERYTHING,
};

/** The type names whose cached answers an event of this kind makes stale; an unknown kind, all. */
export function evictedBy(type: string): readonly string[] {
  return (EVICTS as Record<string, readonly string[]>)[type] ?? EVERYTHING;
}
