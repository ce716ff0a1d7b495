import type { Alert, AlertRule, Prisma } from '@fangkong/prisma';
import { type Change, commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import type { EventTypeName } from '../core/event-types.ts';
import { InvalidStateError, NotFoundError } from '../core/write-errors.ts';

// An alert's life: raised once per occurrence (the database's unique key decides), acknowledged by
// a person, resolved by a person or when its condition clears. Every step commits with its audit
// entry and outbox event (core/changes.ts), or not at all.

/** One occurrence of a rule's condition, as the evaluator finds it. */
export interface Occurrence {
  rule: AlertRule;
  subjectType: string;
  subjectId: string;
  /** Tells this occurrence from others of the same rule and subject (a period, a day, a silence). */
  occurrence: string;
  areaPath: string | null;
  siteId: string | null;
  message: string;
  messageEn: string;
  /** Figures behind it; never personal data. */
  details: Record<string, unknown>;
  /** The outbox event the condition was seen in; 0 when a sweep found it. */
  raisedSeq: bigint;
}

/** What subscribers of the outbox learn about an alert: never personal data. */
export function alertPayload(alert: Alert): Record<string, unknown> {
  return { ruleId: alert.ruleId, kind: alert.kind, severity: alert.severity, status: alert.status, siteId: alert.siteId, areaPath: alert.areaPath };
}

/** The row as the audit trail keeps it (JSON has no 64-bit integers). */
const auditable = (alert: Alert | undefined) => alert && { ...alert, raisedSeq: String(alert.raisedSeq) };

const alertChange = (type: EventTypeName, alert: Alert, before?: Alert): Change => ({
  type,
  entityType: 'Alert',
  entityId: alert.id,
  before: auditable(before),
  after: auditable(alert),
  payload: alertPayload(alert),
});

/**
 * Raises the alert of an occurrence unless it exists (ON CONFLICT DO NOTHING on the occurrence key:
 * of concurrent evaluators exactly one inserts) or the rule's cool-down holds for the subject.
 * Returns the new alert, or null when nothing was raised.
 */
export async function raiseAlert(ctx: Context, o: Occurrence): Promise<Alert | null> {
  const now = ctx.now();
  if (o.rule.cooldownMinutes > 0) {
    const recent = await ctx.prisma.alert.findFirst({
      where: {
        ruleId: o.rule.id,
        subjectType: o.subjectType,
        subjectId: o.subjectId,
        raisedAt: { gt: new Date(now.getTime() - o.rule.cooldownMinutes * 60_000) },
      },
      select: { id: true },
    });
    if (recent) return null;
  }
  return commitChange(ctx, async (tx) => {
    const [alert] = await tx.alert.createManyAndReturn({
      data: [
        {
          ruleId: o.rule.id,
          kind: o.rule.kind,
          severity: o.rule.severity,
          subjectType: o.subjectType,
          subjectId: o.subjectId,
          occurrence: o.occurrence,
          areaPath: o.areaPath,
          siteId: o.siteId,
          message: o.message,
          messageEn: o.messageEn,
          details: o.details as Prisma.InputJsonValue,
          raisedAt: now,
          raisedSeq: o.raisedSeq,
        },
      ],
      skipDuplicates: true,
    });
    return alert ? { value: alert, change: alertChange('alert:raised', alert) } : { value: null, change: null };
  });
}

/** Resolves every unresolved alert of a rule for a subject, because its condition cleared. */
export async function resolveCleared(ctx: Context, ruleId: string, subjectType: string, subjectId: string, note: string): Promise<number> {
  const open = await ctx.prisma.alert.findMany({ where: { ruleId, subjectType, subjectId, status: { not: 'RESOLVED' } }, select: { id: true } });
  let resolved = 0;
  for (const { id } of open) {
    const alert = await commitChange(ctx, async (tx) => {
      const before = await tx.alert.findUnique({ where: { id } });
      // A conditional update: of concurrent evaluators one resolves it, the others find it resolved.
      const [after] = await tx.alert.updateManyAndReturn({
        where: { id, status: { not: 'RESOLVED' } },
        data: { status: 'RESOLVED', resolvedAt: ctx.now(), resolvedBy: ctx.actor, resolveNote: note },
      });
      return after && before ? { value: after, change: alertChange('alert:resolved', after, before) } : { value: null, change: null };
    });
    if (alert) resolved++;
  }
  return resolved;
}

/** A person's step: OPEN → ACKNOWLEDGED, or OPEN/ACKNOWLEDGED → RESOLVED, with a note. */
export function transitionAlert(ctx: Context, id: string, to: 'ACKNOWLEDGED' | 'RESOLVED', note: string | null): Promise<Alert> {
  return commitChange(ctx, async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Alert" WHERE id = ${id} FOR UPDATE`;
    if (!locked) throw new NotFoundError('alert', id, 'alertId');
    const before = await tx.alert.findUniqueOrThrow({ where: { id } });
    const allowed = to === 'ACKNOWLEDGED' ? before.status === 'OPEN' : before.status !== 'RESOLVED';
    if (!allowed) {
      throw new InvalidStateError('alertId', before.status, `a ${before.status.toLowerCase()} alert cannot be ${to === 'ACKNOWLEDGED' ? 'acknowledged' : 'resolved'}`);
    }
    const at = ctx.now();
    const alert = await tx.alert.update({
      where: { id },
      data:
        to === 'ACKNOWLEDGED'
          ? { status: to, acknowledgedAt: at, acknowledgedBy: ctx.actor, acknowledgeNote: note }
          : { status: to, resolvedAt: at, resolvedBy: ctx.actor, resolveNote: note },
    });
    return { value: alert, change: alertChange(to === 'ACKNOWLEDGED' ? 'alert:acknowledged' : 'alert:resolved', alert, before) };
  });
}
