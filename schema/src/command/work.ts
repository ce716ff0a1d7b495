import { randomUUID } from 'node:crypto';
import type { Directive, Finding, ResumptionApplication, Task } from '@fangkong/prisma';
import type { ObjectParam } from '@pothos/core';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { type Change, commitChange } from '../core/changes.ts';
import { CheckpointRef } from '../checkpoints/checkpoints.ts';
import { DirectiveRef, FindingRef, InspectionRef, MeetingRef, ResumptionApplicationRef, TaskRef, TaskStatus } from './command.ts';
import { AreaRef, DepartmentRef, PersonRef } from '../places/places.ts';
import { EnterpriseRef } from '../production/production.ts';
import { Rules } from '../core/rules.ts';
import { found, InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { lockRow } from '../core/writes.ts';
import type { EventTypeName } from '../core/event-types.ts';

// The headquarters' command work: directives issued, tasks assigned and closed, inspection
// findings fixed, and enterprises' applications to resume work decided in order.

type TaskState = Task['status'];
const TASK_TRANSITIONS: Record<TaskState, TaskState[]> = {
  OPEN: ['IN_PROGRESS', 'DONE', 'CANCELLED'],
  IN_PROGRESS: ['DONE', 'CANCELLED', 'OPEN'],
  DONE: [],
  CANCELLED: [],
};

const change = (type: EventTypeName, entityType: string, after: { id: string }, payload: Record<string, unknown>, before?: unknown): Change => ({
  type,
  entityType,
  entityId: after.id,
  before,
  after,
  payload,
});

const payloadOf = <T>(name: string, field: string, ref: ObjectParam<SchemaTypes>) =>
  builder.objectRef<Record<string, T>>(name).implement({
    description: `The ${field} after the change.`,
    fields: (t) => ({ [field]: t.field({ type: ref, description: `The ${field}.`, resolve: (p) => p[field] as never }) }),
  });

const DirectivePayload = payloadOf<Directive>('DirectivePayload', 'directive', DirectiveRef);
const TaskPayload = payloadOf<Task>('TaskPayload', 'task', TaskRef);
const FindingPayload = payloadOf<Finding>('FindingPayload', 'finding', FindingRef);
const ApplicationPayload = payloadOf<ResumptionApplication>('ResumptionApplicationPayload', 'application', ResumptionApplicationRef);

builder.mutationFields((t) => ({
  issueDirective: t.field({
    authScopes: { command: true },
    type: DirectivePayload,
    description: "Issue a numbered requirement, at a meeting or from the headquarters' office; numbered after the meeting's last.",
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      meetingId: t.arg.globalID({ for: MeetingRef, required: false, description: 'The meeting issuing it, if any.' }),
      text: t.arg.string({ required: true, description: 'The requirement in Chinese.' }),
      textEn: t.arg.string({ required: true, description: 'The requirement in English.' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('text', args.text, { required: true, max: 4000 }).text('textEn', args.textEn, { required: true, max: 4000 }).check();
      return commitChange(ctx, async (tx) => {
        const meetingId = args.meetingId?.id ?? null;
        if (meetingId) {
          found(await tx.meeting.findUnique({ where: { id: meetingId } }), 'meeting', meetingId, 'meetingId');
          // Numbering is per meeting; the lock keeps two concurrent issues from taking the same number.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`directive:${meetingId}`}))`;
        }
        const last = await tx.directive.aggregate({ where: { meetingId }, _max: { ordinal: true } });
        const directive = await tx.directive.create({
          data: { meetingId, ordinal: (last._max.ordinal ?? 0) + 1, text: args.text.trim(), textEn: args.textEn.trim(), issuedAt: ctx.now(), issuedBy: ctx.actor },
        });
        return { value: { directive }, change: change('directive:issued', 'Directive', directive, { meetingId, ordinal: directive.ordinal }) };
      });
    },
  }),
  assignTask: t.field({
    authScopes: { command: true },
    type: TaskPayload,
    description: 'Assign work to a leader and/or a department (分包), optionally carrying out a directive, with a due time.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      title: t.arg.string({ required: true, description: 'What must be done, in Chinese.' }),
      titleEn: t.arg.string({ required: false, description: 'In English.' }),
      directiveId: t.arg.globalID({ for: DirectiveRef, required: false, description: 'The directive it carries out.' }),
      ownerPersonId: t.arg.globalID({ for: PersonRef, required: false, description: 'Responsible leader.' }),
      ownerDepartmentId: t.arg.globalID({ for: DepartmentRef, required: false, description: 'Responsible unit.' }),
      dueAt: t.arg({ type: 'DateTime', required: false, description: 'When it is due.' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules().text('title', args.title, { required: true, max: 1000 }).text('titleEn', args.titleEn, { max: 1000 });
      if (!args.ownerPersonId && !args.ownerDepartmentId) rules.fail('ownerPersonId', 'name a responsible person or department');
      rules.check();
      return commitChange(ctx, async (tx) => {
        if (args.directiveId) found(await tx.directive.findUnique({ where: { id: args.directiveId.id } }), 'directive', args.directiveId.id, 'directiveId');
        if (args.ownerPersonId) found(await tx.person.findUnique({ where: { id: args.ownerPersonId.id } }), 'person', args.ownerPersonId.id, 'ownerPersonId');
        if (args.ownerDepartmentId) {
          found(await tx.department.findUnique({ where: { id: args.ownerDepartmentId.id } }), 'department', args.ownerDepartmentId.id, 'ownerDepartmentId');
        }
        const task = await tx.task.create({
          data: {
            title: args.title.trim(),
            titleEn: args.titleEn?.trim() || null,
            directiveId: args.directiveId?.id ?? null,
            ownerPersonId: args.ownerPersonId?.id ?? null,
            ownerDepartmentId: args.ownerDepartmentId?.id ?? null,
            dueAt: args.dueAt ?? null,
          },
        });
        return { value: { task }, change: change('task:assigned', 'Task', task, { directiveId: task.directiveId, dueAt: task.dueAt }) };
      });
    },
  }),
  updateTaskStatus: t.field({
    authScopes: { command: true },
    type: TaskPayload,
    description: 'Move a task: open → in progress → done; open or in progress → cancelled. Done and cancelled are final.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: {
      taskId: t.arg.globalID({ for: TaskRef, required: true, description: 'The task.' }),
      status: t.arg({ type: TaskStatus, required: true, description: 'The new status.' }),
    },
    resolve: (_root, args, ctx) =>
      commitChange(ctx, async (tx) => {
        const before = await tx.task.findUniqueOrThrow({ where: { id: await lockRow(tx, 'Task', args.taskId.id, { entity: 'task', field: 'taskId' }) } });
        if (before.status === args.status) return { value: { task: before }, change: null };
        if (!TASK_TRANSITIONS[before.status].includes(args.status)) {
          throw new InvalidStateError('status', before.status, `a ${before.status.toLowerCase()} task cannot become ${args.status.toLowerCase()}`);
        }
        const task = await tx.task.update({ where: { id: before.id }, data: { status: args.status } });
        return { value: { task }, change: change('task:statusChanged', 'Task', task, { from: before.status, to: task.status }, before) };
      }),
  }),
  recordInspectionFinding: t.field({
    authScopes: { command: true },
    type: FindingPayload,
    description: 'Record a problem an inspection found at a site and who must fix it.',
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      inspectionId: t.arg.globalID({ for: InspectionRef, required: true, description: 'The inspection.' }),
      siteName: t.arg.string({ required: true, description: 'The site as named on the spot.' }),
      siteAreaId: t.arg.globalID({ for: AreaRef, required: false, description: 'The site, if it is an area.' }),
      siteCheckpointId: t.arg.globalID({ for: CheckpointRef, required: false, description: 'The site, if it is a checkpoint.' }),
      siteEnterpriseId: t.arg.globalID({ for: EnterpriseRef, required: false, description: 'The site, if it is an enterprise.' }),
      problem: t.arg.string({ required: true, description: 'The problem, in Chinese.' }),
      problemEn: t.arg.string({ required: true, description: 'The problem, in English.' }),
      ownerDepartmentId: t.arg.globalID({ for: DepartmentRef, required: false, description: 'Unit that must fix it.' }),
      ownerPersonId: t.arg.globalID({ for: PersonRef, required: false, description: 'Leader responsible.' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules()
        .text('siteName', args.siteName, { required: true, max: 200 })
        .text('problem', args.problem, { required: true, max: 4000 })
        .text('problemEn', args.problemEn, { required: true, max: 4000 });
      if (!args.ownerDepartmentId && !args.ownerPersonId) rules.fail('ownerDepartmentId', 'name who must fix it (department or person)');
      rules.check();
      return commitChange(ctx, async (tx) => {
        found(await tx.inspection.findUnique({ where: { id: args.inspectionId.id } }), 'inspection', args.inspectionId.id, 'inspectionId');
        const refs = [
          [args.siteAreaId, 'siteAreaId', 'area', (id: string) => tx.area.count({ where: { id } })],
          [args.siteCheckpointId, 'siteCheckpointId', 'checkpoint', (id: string) => tx.checkpoint.count({ where: { id } })],
          [args.siteEnterpriseId, 'siteEnterpriseId', 'enterprise', (id: string) => tx.enterprise.count({ where: { id } })],
          [args.ownerDepartmentId, 'ownerDepartmentId', 'department', (id: string) => tx.department.count({ where: { id } })],
          [args.ownerPersonId, 'ownerPersonId', 'person', (id: string) => tx.person.count({ where: { id } })],
        ] as const;
        for (const [ref, field, entity, exists] of refs) if (ref && !(await exists(ref.id))) throw new NotFoundError(entity, ref.id, field);
        const finding = await tx.finding.create({
          data: {
            id: randomUUID(),
            inspectionId: args.inspectionId.id,
            siteName: args.siteName.trim(),
            siteAreaId: args.siteAreaId?.id ?? null,
            siteCheckpointId: args.siteCheckpointId?.id ?? null,
            siteEnterpriseId: args.siteEnterpriseId?.id ?? null,
            problem: args.problem.trim(),
            problemEn: args.problemEn.trim(),
            ownerDepartmentId: args.ownerDepartmentId?.id ?? null,
            ownerPersonId: args.ownerPersonId?.id ?? null,
          },
        });
        return { value: { finding }, change: change('finding:recorded', 'Finding', finding, { inspectionId: finding.inspectionId, siteName: finding.siteName }) };
      });
    },
  }),
  resolveFinding: t.field({
    authScopes: { command: true },
    type: FindingPayload,
    description: 'Close a finding with how it was fixed.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      findingId: t.arg.globalID({ for: FindingRef, required: true, description: 'The finding.' }),
      resolution: t.arg.string({ required: true, description: 'How it was fixed.' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('resolution', args.resolution, { required: true, max: 4000 }).check();
      return commitChange(ctx, async (tx) => {
        const before = await tx.finding.findUniqueOrThrow({ where: { id: await lockRow(tx, 'Finding', args.findingId.id, { entity: 'finding', field: 'findingId' }) } });
        if (before.resolvedAt) throw new InvalidStateError('findingId', 'resolved', `already resolved at ${before.resolvedAt.toISOString()}`);
        const finding = await tx.finding.update({ where: { id: before.id }, data: { resolvedAt: ctx.now(), resolution: args.resolution.trim() } });
        return { value: { finding }, change: change('finding:resolved', 'Finding', finding, { inspectionId: finding.inspectionId }, before) };
      });
    },
  }),
  submitResumptionApplication: t.field({
    authScopes: { command: true },
    type: ApplicationPayload,
    description: 'An enterprise applies to resume work; applications are handled in order of submission.',
    errors: { types: [NotFoundError, InvalidStateError] },
    args: { enterpriseId: t.arg.globalID({ for: EnterpriseRef, required: true, description: 'The applicant.' }) },
    resolve: (_root, args, ctx) =>
      commitChange(ctx, async (tx) => {
        const enterprise = await tx.enterprise.findUniqueOrThrow({ where: { id: await lockRow(tx, 'Enterprise', args.enterpriseId.id, { entity: 'enterprise', field: 'enterpriseId' }) } });
        if (enterprise.resumptionStatus === 'RESUMED' || enterprise.resumptionStatus === 'APPROVED') {
          throw new InvalidStateError('enterpriseId', enterprise.resumptionStatus, `the enterprise is already ${enterprise.resumptionStatus.toLowerCase()}`);
        }
        if (await tx.resumptionApplication.count({ where: { enterpriseId: enterprise.id, status: 'SUBMITTED' } })) {
          throw new InvalidStateError('enterpriseId', 'SUBMITTED', 'an application of this enterprise is already waiting for a decision');
        }
        const application = await tx.resumptionApplication.create({ data: { enterpriseId: enterprise.id, submittedAt: ctx.now() } });
        await tx.enterprise.update({ where: { id: enterprise.id }, data: { resumptionStatus: 'APPLIED' } });
        return { value: { application }, change: change('resumptionApplication:submitted', 'ResumptionApplication', application, { enterpriseId: enterprise.id }) };
      }),
  }),
  decideResumptionApplication: t.field({
    authScopes: { command: true },
    type: ApplicationPayload,
    description: 'Approve or reject the oldest waiting application first (applications are handled in order).',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      applicationId: t.arg.globalID({ for: ResumptionApplicationRef, required: true, description: 'The application.' }),
      approve: t.arg.boolean({ required: true, description: 'True to approve, false to reject.' }),
      note: t.arg.string({ required: false, description: 'Reasons; required when rejecting.' }),
      decidedById: t.arg.globalID({ for: PersonRef, required: false, description: 'The leader deciding.' }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules().text('note', args.note, { required: !args.approve, max: 2000 });
      rules.check();
      return commitChange(ctx, async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('resumption-queue'))`;
        const before = found(await tx.resumptionApplication.findUnique({ where: { id: args.applicationId.id } }), 'resumption application', args.applicationId.id, 'applicationId');
        if (before.status !== 'SUBMITTED') throw new InvalidStateError('applicationId', before.status, `already ${before.status.toLowerCase()}`);
        const older = await tx.resumptionApplication.findFirst({ where: { status: 'SUBMITTED', submittedAt: { lt: before.submittedAt } }, orderBy: { submittedAt: 'asc' } });
        if (older) throw new InvalidStateError('applicationId', 'SUBMITTED', `an older application (${older.id}, submitted ${older.submittedAt.toISOString()}) must be decided first`);
        if (args.decidedById) found(await tx.person.findUnique({ where: { id: args.decidedById.id } }), 'person', args.decidedById.id, 'decidedById');
        const status = args.approve ? 'APPROVED' : 'REJECTED';
        const application = await tx.resumptionApplication.update({
          where: { id: before.id },
          data: { status, decidedAt: ctx.now(), decidedById: args.decidedById?.id ?? null, decisionNote: args.note?.trim() || null },
        });
        await tx.enterprise.update({ where: { id: application.enterpriseId }, data: { resumptionStatus: status } });
        return { value: { application }, change: change('resumptionApplication:decided', 'ResumptionApplication', application, { enterpriseId: application.enterpriseId, status }, before) };
      });
    },
  }),
}));
