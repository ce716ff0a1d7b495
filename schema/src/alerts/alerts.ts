import { $Enums, type Alert, type Prisma } from '@fangkong/prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { Repeater } from '@repeaterjs/repeater';
import { builder } from '../core/builder.ts';
import { commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { prismaEnum } from '../core/enums.ts';
import type { OutboxEvent } from '../core/live.ts';
import { liveFeed, snapshot } from '../core/live-values.ts';
import { checkPageSize } from '../core/pagination.ts';
import { Rules } from '../core/rules.ts';
import { TimeRangeInput, timeRangeWhere } from '../core/time-range.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { IsolationCaseRef } from '../isolation/isolation.ts';
import { AreaRef, withinAreaPath } from '../places/places.ts';
import { GATE_RULE_KIND_DESCRIPTIONS } from '../gate-scans/anomaly-kinds.ts';
import { parameterIssues } from './rule-kinds.ts';
import { transitionAlert } from './transitions.ts';

// Alerts (预警): what needs the command room now. Rules are rows an admin tunes; the server's
// evaluator raises alerts from the outbox and a periodic sweep (evaluation.ts); people acknowledge
// and resolve them here. Every role that reads figures sees alerts without personal data; operators
// see their own sites' alerts, health staff the isolation alerts of their areas.

export const AlertSeverity = prismaEnum($Enums.AlertSeverity, 'AlertSeverity', 'How urgent an alert is.', {
  LOW: 'Follow up when there is time (e.g. suspicious figures).',
  MEDIUM: 'Needs attention today (a silent site, an overdue task).',
  HIGH: 'Needs attention now (a fever case at an entry point, a halted line, stock running out).',
});

export const AlertStatus = prismaEnum($Enums.AlertStatus, 'AlertStatus', 'Where an alert stands.', {
  OPEN: 'Raised, nobody has taken it yet.',
  ACKNOWLEDGED: 'Someone has taken it.',
  RESOLVED: 'Its condition cleared or someone closed it.',
});

export const AlertRuleKind = prismaEnum($Enums.AlertRuleKind, 'AlertRuleKind', 'What an alert rule watches (its parameters depend on it).', {
  FEVER_AT_ENTRY: 'A fever case reported at a checkpoint of the named kinds. Parameters: checkpointKinds, minFeverCases.',
  SILENT_SITE: 'A site in service not reporting for more than `intervals` × its reporting interval. Parameters: intervals, lookbackHours.',
  OUTPUT_UNDER_TARGET: "A producing line's output over the last hours below a share of its rated capacity. Parameters: windowHours, minPercent.",
  LINE_HALTED: 'A line halted for more than some minutes. Parameters: minutes.',
  STOCK_LOW: "A product's stock below its safety level (Product.safetyLevel, set by admins with setProductSafetyLevel). No parameters.",
  ISOLATION_NO_CHECK: 'A person in isolation without a health check today by a local time. Parameters: byLocalTime ("HH:MM").',
  ISOLATION_FEVER: 'A health check at or above a temperature. Parameters: minTemperature (°C).',
  TASK_OVERDUE: 'A task past its due time and not done. Parameters: graceMinutes, lookbackDays.',
  FINDING_OVERDUE: 'An inspection finding not rectified within its deadline. Parameters: rectifyWithinDays, lookbackDays.',
  SUSPICIOUS_FIGURES: "A report far outside the site's own history at that hour (modified z-score); flagged, not rejected. Parameters: maxModifiedZ, historyDays, minSamples.",
  ...GATE_RULE_KIND_DESCRIPTIONS,
  SCREEN_SILENT: 'A wall display without a live connection for more than some minutes (fractions allowed). Parameters: minutes, lookbackHours.',
});

const SEVERITY_RANK: Record<$Enums.AlertSeverity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };
/** Alerts about a compound's residents: its health (community) staff see and handle them. */
const RESIDENT_KINDS: $Enums.AlertRuleKind[] = ['ISOLATION_NO_CHECK', 'ISOLATION_FEVER', ...(Object.keys(GATE_RULE_KIND_DESCRIPTIONS) as $Enums.AlertRuleKind[])];

/** The compound of an alert about its residents (the last id of its area path); null for other alerts. */
function compoundOf(alert: Pick<Alert, 'kind' | 'areaPath'>): string | null {
  if (!RESIDENT_KINDS.includes(alert.kind) || !alert.areaPath) return null;
  return alert.areaPath.split('/').filter(Boolean).pop() ?? null;
}

/** Which alerts the caller may see, as a filter (null: none). */
export function visibleAlerts(ctx: Context): Prisma.AlertWhereInput | null {
  const viewer = ctx.viewer;
  if (!viewer) return null;
  switch (viewer.role) {
    case 'OPERATOR':
      return { siteId: { in: viewer.scope } };
    case 'HEALTH':
      return { kind: { in: RESIDENT_KINDS }, OR: viewer.compoundIds.map((id) => ({ areaPath: { endsWith: `/${id}/` } })) };
    default:
      return {};
  }
}

/** The same rule for an outbox event's payload (it carries kind, siteId and areaPath). */
function visibleEvent(ctx: Context, payload: Record<string, unknown>): boolean {
  const viewer = ctx.viewer;
  if (!viewer) return false;
  if (viewer.role === 'OPERATOR') return typeof payload.siteId === 'string' && viewer.scope.includes(payload.siteId);
  if (viewer.role === 'HEALTH') {
    const compound = compoundOf({ kind: payload.kind as $Enums.AlertRuleKind, areaPath: (payload.areaPath as string | null) ?? null });
    return !!compound && viewer.compoundIds.includes(compound);
  }
  return true;
}

export const AlertRuleRef = builder.prismaNode('AlertRule', {
  nullable: true,
  authScopes: { alerts: true, command: true },
  description: 'A condition that raises alerts, with its parameters; admins change it with updateAlertRule.',
  id: { field: 'id' },
  fields: (t) => ({
    kind: t.expose('kind', { type: AlertRuleKind, description: 'What it watches.' }),
    name: t.exposeString('name', { description: 'Name in Chinese.' }),
    nameEn: t.exposeString('nameEn', { description: 'Name in English.' }),
    severity: t.expose('severity', { type: AlertSeverity, description: 'Severity of the alerts it raises.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether it is evaluated.' }),
    parameters: t.string({ description: "The kind's parameters, as JSON (see AlertRuleKind).", resolve: (r) => JSON.stringify(r.parameters) }),
    cooldownMinutes: t.exposeInt('cooldownMinutes', { description: 'No new alert for the same subject within this many minutes of the last.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
    updatedBy: t.exposeString('updatedBy', { description: 'Who changed it last.' }),
  }),
});

export const AlertRef = builder.prismaNode('Alert', {
  nullable: true,
  authScopes: (alert) => ({ alerts: true, operates: alert.siteId ?? '', caresFor: compoundOf(alert) ?? '' }),
  description: 'One occurrence of a rule’s condition for one subject (预警). Carries no personal data itself.',
  id: { field: 'id' },
  fields: (t) => ({
    rule: t.relation('rule', { description: 'The rule that raised it.' }),
    kind: t.expose('kind', { type: AlertRuleKind, description: "The rule's kind." }),
    severity: t.expose('severity', { type: AlertSeverity, description: 'How urgent.' }),
    status: t.expose('status', { type: AlertStatus, description: 'Open, acknowledged or resolved.' }),
    subjectType: t.exposeString('subjectType', { description: 'What it is about: Checkpoint, ProductionLine, Product, Allocation, IsolationCase, Task, Finding, GatePass or Screen.' }),
    subjectId: t.id({ description: 'Global ID of what it is about (node(id) answers it to those who may see it).', resolve: (a) => encodeGlobalID(a.subjectType, a.subjectId) }),
    occurrence: t.exposeString('occurrence', { description: 'Which occurrence of the condition (a period, a day, the last report before a silence).' }),
    message: t.exposeString('message', { description: 'What happened, in Chinese.' }),
    messageEn: t.exposeString('messageEn', { description: 'What happened, in English.' }),
    details: t.string({ description: 'The figures behind it, as JSON (never personal data).', resolve: (a) => JSON.stringify(a.details) }),
    area: t.field({
      type: AreaRef,
      nullable: true,
      description: 'The area (for isolation alerts, the compound) it lies in.',
      resolve: (a, _args, ctx) => {
        const id = a.areaPath?.split('/').filter(Boolean).pop();
        return id ? ctx.prisma.area.findUnique({ where: { id } }) : null;
      },
    }),
    isolationCase: t.field({
      type: IsolationCaseRef,
      nullable: true,
      description: 'For isolation alerts: the case, with the person’s name and phone (personal data: health staff of its area and admins only).',
      resolve: (a, _args, ctx) => (a.subjectType === 'IsolationCase' ? ctx.prisma.isolationCase.findUnique({ where: { id: a.subjectId } }) : null),
    }),
    raisedAt: t.expose('raisedAt', { type: 'DateTime', description: 'When it was raised.' }),
    asOfSeq: t.field({ type: 'Seq', description: 'The outbox event the condition was seen in (0: found by the periodic sweep).', resolve: (a) => a.raisedSeq }),
    acknowledgedAt: t.expose('acknowledgedAt', { type: 'DateTime', nullable: true, description: 'When someone took it.' }),
    acknowledgedBy: t.exposeString('acknowledgedBy', { nullable: true, description: 'Who took it.' }),
    acknowledgeNote: t.exposeString('acknowledgeNote', { nullable: true, description: 'Their note.' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'When it was resolved.' }),
    resolvedBy: t.exposeString('resolvedBy', { nullable: true, description: 'Who resolved it ("alerts:evaluator" when its condition cleared).' }),
    resolveNote: t.exposeString('resolveNote', { nullable: true, description: 'Why or how.' }),
  }),
});

interface AlertFilterArgs {
  status?: readonly $Enums.AlertStatus[] | null;
  severity?: readonly $Enums.AlertSeverity[] | null;
  rule?: { id: string } | null;
  within?: { id: string } | null;
  raised?: { from?: Date | null; to?: Date | null } | null;
}

function alertsWhere(ctx: Context, args: AlertFilterArgs): Prisma.AlertWhereInput {
  const visible = visibleAlerts(ctx) ?? { id: { in: [] } };
  return {
    AND: [
      visible,
      args.status?.length ? { status: { in: [...args.status] } } : {},
      args.severity?.length ? { severity: { in: [...args.severity] } } : {},
      args.rule ? { ruleId: args.rule.id } : {},
      args.within ? { areaPath: withinAreaPath(args.within.id).path } : {},
      args.raised ? { raisedAt: timeRangeWhere(args.raised) } : {},
    ],
  };
}

builder.queryFields((t) => ({
  alerts: t.prismaConnection(
    {
      type: 'Alert',
      cursor: 'id',
      description: 'Alerts the caller may see, newest first: every role reading figures sees all of them without personal data; operators their own sites’ alerts; health staff the isolation alerts of their areas.',
      args: {
        status: t.arg({ type: [AlertStatus], required: false, description: 'Only these statuses.' }),
        severity: t.arg({ type: [AlertSeverity], required: false, description: 'Only these severities.' }),
        rule: t.arg.globalID({ for: AlertRuleRef, required: false, description: 'Only alerts of this rule.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only alerts in this area or below it.' }),
        raised: t.arg({ type: TimeRangeInput, required: false, description: 'Only alerts raised in this window.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.alert.findMany({ ...query, where: alertsWhere(ctx, args), orderBy: [{ raisedAt: 'desc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.alert.count({ where: alertsWhere(ctx, args) }),
    },
    { description: 'A page of alerts.' },
  ),
  alertRules: t.prismaField({
    authScopes: { alerts: true, command: true },
    type: ['AlertRule'],
    description: 'Every alert rule, enabled or not.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.alertRule.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
}));

const AlertRulePayload = builder.objectRef<{ rule: Prisma.AlertRuleGetPayload<object> }>('AlertRulePayload').implement({
  description: 'The rule after the change.',
  fields: (t) => ({ rule: t.field({ type: AlertRuleRef, description: 'The rule.', resolve: (p) => p.rule }) }),
});

const AlertPayload = builder.objectRef<{ alert: Alert }>('AlertPayload').implement({
  description: 'The alert after the change.',
  fields: (t) => ({ alert: t.field({ type: AlertRef, description: 'The alert.', resolve: (p) => p.alert }) }),
});

/** Commanders and admins act on every alert; health staff on the isolation alerts of their areas. */
const mayHandle = async (_root: unknown, args: { alertId: { id: string } }, ctx: Context) => {
  const alert = await ctx.prisma.alert.findUnique({ where: { id: args.alertId.id }, select: { kind: true, areaPath: true } });
  return { command: true, caresFor: (alert && compoundOf(alert)) ?? '' };
};

builder.mutationFields((t) => ({
  updateAlertRule: t.field({
    authScopes: { admin: true },
    type: AlertRulePayload,
    description: 'Change an alert rule (admins): enable or disable it, its severity, cool-down or parameters (checked against its kind). Audited.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      ruleId: t.arg.globalID({ for: AlertRuleRef, required: true, description: 'The rule.' }),
      enabled: t.arg.boolean({ required: false, description: 'Evaluate it or not.' }),
      severity: t.arg({ type: AlertSeverity, required: false, description: 'Severity of the alerts it raises from now on.' }),
      cooldownMinutes: t.arg.int({ required: false, description: 'Minutes without a new alert for the same subject (0–10080).' }),
      parameters: t.arg.string({ required: false, description: 'All of the kind’s parameters, as a JSON object (see AlertRuleKind).' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules();
      if (args.cooldownMinutes != null && (!Number.isInteger(args.cooldownMinutes) || args.cooldownMinutes < 0 || args.cooldownMinutes > 10_080)) {
        rules.fail('cooldownMinutes', 'must be a whole number of minutes from 0 to 10080');
      }
      let parameters: unknown;
      if (args.parameters != null) {
        try {
          parameters = JSON.parse(args.parameters);
        } catch {
          rules.fail('parameters', 'must be JSON');
        }
      }
      rules.check();
      return commitChange(ctx, async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "AlertRule" WHERE id = ${args.ruleId.id} FOR UPDATE`;
        if (!locked) throw new NotFoundError('alert rule', args.ruleId.id, 'ruleId');
        const before = await tx.alertRule.findUniqueOrThrow({ where: { id: args.ruleId.id } });
        if (parameters !== undefined) {
          const issues = parameterIssues(before.kind, parameters);
          if (issues.length) throw new ValidationError(issues);
        }
        const rule = await tx.alertRule.update({
          where: { id: before.id },
          data: {
            ...(args.enabled != null ? { enabled: args.enabled } : {}),
            ...(args.severity ? { severity: args.severity } : {}),
            ...(args.cooldownMinutes != null ? { cooldownMinutes: args.cooldownMinutes } : {}),
            ...(parameters !== undefined ? { parameters: parameters as Prisma.InputJsonValue } : {}),
            updatedAt: ctx.now(),
            updatedBy: ctx.actor,
          },
        });
        return {
          value: { rule },
          change: { type: 'alertRule:updated', entityType: 'AlertRule', entityId: rule.id, before, after: rule, payload: { ruleId: rule.id, kind: rule.kind, enabled: rule.enabled } },
        };
      });
    },
  }),
  acknowledgeAlert: t.field({
    authScopes: mayHandle,
    type: AlertPayload,
    description: 'Take an open alert (commanders, admins; health staff for isolation alerts of their areas), with a note.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      alertId: t.arg.globalID({ for: AlertRef, required: true, description: 'The alert.' }),
      note: t.arg.string({ required: false, description: 'What is being done.' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('note', args.note, { max: 2000 }).check();
      return { alert: await transitionAlert(ctx, args.alertId.id, 'ACKNOWLEDGED', args.note?.trim() || null) };
    },
  }),
  resolveAlert: t.field({
    authScopes: mayHandle,
    type: AlertPayload,
    description: 'Close an open or acknowledged alert with a note saying how (commanders, admins; health staff for isolation alerts of their areas).',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      alertId: t.arg.globalID({ for: AlertRef, required: true, description: 'The alert.' }),
      note: t.arg.string({ required: true, description: 'How it was resolved.' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('note', args.note, { required: true, max: 2000 }).check();
      return { alert: await transitionAlert(ctx, args.alertId.id, 'RESOLVED', args.note.trim()) };
    },
  }),
}));

// ───────────────────────────── live ─────────────────────────────

type AlertsUpdateKind = 'SNAPSHOT' | 'RAISED' | 'ACKNOWLEDGED' | 'RESOLVED';

interface AlertsUpdate {
  kind: AlertsUpdateKind;
  alerts: Alert[];
  asOfSeq: bigint;
  /** When the update was read: the open alerts are as the server knew them then. */
  asOf: Date;
}

const AlertsUpdateKindEnum = builder.enumType('AlertsUpdateKind', {
  description: 'What an alerts update carries.',
  values: {
    SNAPSHOT: { value: 'SNAPSHOT', description: 'Every open or acknowledged alert, first.' },
    RAISED: { value: 'RAISED', description: 'A new alert.' },
    ACKNOWLEDGED: { value: 'ACKNOWLEDGED', description: 'Someone took an alert.' },
    RESOLVED: { value: 'RESOLVED', description: 'An alert was resolved; it leaves the open ones.' },
  } as const,
});

const AlertsUpdateRef = builder.objectRef<AlertsUpdate>('AlertsUpdate').implement({
  description: 'The open alerts first, then each change, with the outbox position it includes.',
  fields: (t) => ({
    kind: t.field({ type: AlertsUpdateKindEnum, description: 'Snapshot or which change.', resolve: (u) => u.kind }),
    alerts: t.field({ type: [AlertRef], description: 'The snapshot’s unresolved alerts (newest first), or the one alert that changed.', resolve: (u) => u.alerts }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event this update includes.', resolve: (u) => u.asOfSeq }),
    asOf: t.field({ type: 'DateTime', description: 'When the update was read on the server (a wall says "数据截至" from it).', resolve: (u) => u.asOf }),
  }),
});

const UPDATE_KIND: Record<string, AlertsUpdateKind> = { 'alert:raised': 'RAISED', 'alert:acknowledged': 'ACKNOWLEDGED', 'alert:resolved': 'RESOLVED' };

builder.subscriptionFields((t) => ({
  alerts: t.field({
    type: AlertsUpdateRef,
    description: 'Alerts live: every unresolved alert the caller may see first, then each raise, acknowledgement and resolution, in outbox order with no gap.',
    args: {
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only alerts in this area or below it.' }),
      minSeverity: t.arg({ type: AlertSeverity, required: false, description: 'Only alerts at least this severe.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const live = liveFeed(ctx);
      const minRank = SEVERITY_RANK[args.minSeverity ?? 'LOW'];
      const severities = (Object.keys(SEVERITY_RANK) as $Enums.AlertSeverity[]).filter((s) => SEVERITY_RANK[s] >= minRank);
      const where = alertsWhere(ctx, { status: ['OPEN', 'ACKNOWLEDGED'], severity: severities, within: args.within });
      const snapshotAt = ctx.now();
      const { asOfSeq, values } = await snapshot(ctx, [ctx.prisma.alert.findMany({ where, orderBy: [{ raisedAt: 'desc' }, { id: 'asc' }], take: 500 })]);
      const within = args.within ? `/${args.within.id}/` : null;
      const matches = (e: OutboxEvent) =>
        e.type in UPDATE_KIND &&
        visibleEvent(ctx, e.payload) &&
        SEVERITY_RANK[e.payload.severity as $Enums.AlertSeverity] >= minRank &&
        (!within || (typeof e.payload.areaPath === 'string' && e.payload.areaPath.includes(within)));
      return new Repeater<AlertsUpdate>(async (push, stop) => {
        await push({ kind: 'SNAPSHOT', alerts: values[0], asOfSeq, asOf: snapshotAt });
        const events = live.events(asOfSeq, matches)[Symbol.asyncIterator]();
        stop.then(() => events.return?.());
        try {
          for (;;) {
            const next = await Promise.race([events.next(), stop.then(() => null)]);
            if (!next || next.done) break;
            const alert = await ctx.prisma.alert.findUnique({ where: { id: next.value.subjectId } });
            if (alert) await push({ kind: UPDATE_KIND[next.value.type]!, alerts: [alert], asOfSeq: next.value.seq, asOf: ctx.now() });
          }
          stop();
        } catch (error) {
          stop(error);
        }
      });
    },
    resolve: (update) => update,
  }),
}));

