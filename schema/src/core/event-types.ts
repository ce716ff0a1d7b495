// The kinds of outbox event, named once: writes record them (core/changes.ts), the Event type and
// its EventType enum expose them (events/).
/** Every kind of outbox event, `entity:event`, with its description. New kinds are added here. */
export const EVENT_TYPES = {
  'checkpointReport:reported': 'A checkpoint reported counts.',
  'checkpointReport:corrected': 'A checkpoint report was corrected.',
  'outputReport:reported': 'A production line reported output.',
  'outputReport:corrected': 'An output report was corrected.',
  'productionLine:statusChanged': 'A production line changed status.',
  'allocation:planned': 'Supplies were allocated.',
  'allocation:dispatched': 'An allocation was sent.',
  'allocation:delivered': 'An allocation arrived.',
  'isolationCase:opened': 'A person was put under home isolation.',
  'isolationCase:closed': 'A home isolation ended.',
  'healthCheck:recorded': 'A health check of a person in isolation was recorded.',
  'directive:issued': 'A directive was issued.',
  'task:assigned': 'A task was assigned.',
  'task:statusChanged': 'A task changed status.',
  'finding:recorded': 'An inspection finding was recorded.',
  'finding:resolved': 'An inspection finding was resolved.',
  'resumptionApplication:submitted': 'An enterprise applied to resume work.',
  'resumptionApplication:decided': 'A resumption application was decided.',
  'alert:raised': 'A rule raised an alert.',
  'alert:acknowledged': 'Someone acknowledged an alert.',
  'alert:resolved': 'An alert was resolved, by a person or because its condition cleared.',
  'alertRule:updated': 'An admin changed an alert rule.',
  'dayApproval:approved': "An area's figures for a local day were approved (and locked).",
  'dayApproval:reopened': "An approved day of an area was reopened for corrections.",
  'webhookEndpoint:registered': 'An admin registered a webhook endpoint.',
  'webhookEndpoint:paused': 'A webhook endpoint was paused (by an admin, or after failing too long).',
  'webhookEndpoint:resumed': 'An admin resumed a paused webhook endpoint (delivery goes on from its cursor).',
  'seed:loaded': 'Reference data or simulated history was loaded.',
} as const;

export type EventTypeName = keyof typeof EVENT_TYPES;
