import { builder } from '../core/builder.ts';
import { checkPageSize } from '../core/pagination.ts';
import { TimeRangeInput, timeRangeWhere } from '../core/time-range.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums } from '@fangkong/prisma';

const MeetingKind = prismaEnum($Enums.MeetingKind, 'MeetingKind', 'What sort of meeting.', {
  HEADQUARTERS: "A meeting of the epidemic-control headquarters (指挥部).",
  PARTY_COMMITTEE: 'A meeting of the Party working committee (党工委).',
  SYMPOSIUM: 'A symposium (座谈会).',
});

export const TaskStatus = prismaEnum($Enums.TaskStatus, 'TaskStatus', 'Where an assigned task stands.', {
  OPEN: 'Assigned, not started.',
  IN_PROGRESS: 'Being carried out.',
  DONE: 'Carried out.',
  CANCELLED: 'Withdrawn.',
});

const InspectionKind = prismaEnum($Enums.InspectionKind, 'InspectionKind', 'What sort of visit.', {
  FIELD_VISIT: 'An announced field visit (调研).',
  UNANNOUNCED_VISIT: 'An unannounced visit (暗访), usually by day.',
  NIGHT_SPOT_CHECK: 'A night spot check (晚上抽查).',
});

export const ApplicationStatus = prismaEnum($Enums.ApplicationStatus, 'ApplicationStatus', 'Where a resumption application stands.', {
  SUBMITTED: 'Waiting, handled in order.',
  APPROVED: 'Approved.',
  REJECTED: 'Rejected.',
});

/** A task is overdue when its due time has passed and it is neither done nor cancelled. */
export function isTaskOverdue(task: { dueAt: Date | null; status: $Enums.TaskStatus }, now: Date): boolean {
  return !!task.dueAt && task.dueAt < now && task.status !== 'DONE' && task.status !== 'CANCELLED';
}

export const MeetingRef = builder.prismaNode('Meeting', {
  nullable: true,
  authScopes: { reference: true },
  description: 'A meeting that issues requirements and assigns work.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier.' }),
    title: t.exposeString('title', { description: 'Title in Chinese.' }),
    titleEn: t.exposeString('titleEn', { description: 'Title in English.' }),
    kind: t.expose('kind', { type: MeetingKind, description: 'What sort of meeting.' }),
    heldAt: t.expose('heldAt', { type: 'DateTime', description: 'When it was held.' }),
    summary: t.exposeString('summary', { nullable: true, description: 'What it decided, in Chinese.' }),
    summaryEn: t.exposeString('summaryEn', { nullable: true, description: 'What it decided, in English.' }),
    chair: t.relation('chair', { nullable: true, description: 'Who chaired it.' }),
    attendees: t.relation('attendees', { description: 'Leaders who attended.', query: { orderBy: { id: 'asc' } } }),
    directives: t.relation('directives', { description: 'Its requirements in order (一要, 二要 …).', query: { orderBy: { ordinal: 'asc' } } }),
  }),
});

export const DirectiveRef = builder.prismaNode('Directive', {
  nullable: true,
  authScopes: { reference: true },
  description: 'A numbered requirement issued by a meeting or office.',
  id: { field: 'id' },
  fields: (t) => ({
    ordinal: t.exposeInt('ordinal', { description: 'Its number within the meeting (1 = 一要).' }),
    text: t.exposeString('text', { description: 'The requirement in Chinese.' }),
    textEn: t.exposeString('textEn', { description: 'The requirement in English.' }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued.' }),
    issuedBy: t.exposeString('issuedBy', { description: 'Who issued it.' }),
    meeting: t.relation('meeting', { nullable: true, description: 'The meeting that issued it, if any.' }),
    tasks: t.relation('tasks', { description: 'Work assigned to carry it out.' }),
  }),
});

export const TaskRef = builder.prismaNode('Task', {
  nullable: true,
  authScopes: { records: true },
  description: 'Work assigned to a person or department, with a due time.',
  id: { field: 'id' },
  fields: (t) => ({
    title: t.exposeString('title', { description: 'What must be done, in Chinese.' }),
    titleEn: t.exposeString('titleEn', { nullable: true, description: 'What must be done, in English.' }),
    status: t.expose('status', { type: TaskStatus, description: 'Where it stands.' }),
    dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true, description: 'When it is due.' }),
    isOverdue: t.boolean({
      description: 'Due time passed and not done or cancelled.',
      resolve: (task, _args, ctx) => isTaskOverdue(task, ctx.now()),
    }),
    directive: t.relation('directive', { nullable: true, description: 'The directive it carries out.' }),
    ownerPerson: t.relation('ownerPerson', { nullable: true, description: 'Responsible leader (分包).' }),
    ownerDepartment: t.relation('ownerDepartment', { nullable: true, description: 'Responsible unit.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was assigned.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

export const InspectionRef = builder.prismaNode('Inspection', {
  nullable: true,
  authScopes: { records: true },
  description: 'A visit (调研, 暗访, 抽查) that looks at sites and records findings.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier.' }),
    kind: t.expose('kind', { type: InspectionKind, description: 'What sort of visit.' }),
    title: t.exposeString('title', { description: 'Title in Chinese.' }),
    titleEn: t.exposeString('titleEn', { description: 'Title in English.' }),
    heldAt: t.expose('heldAt', { type: 'DateTime', description: 'When.' }),
    summary: t.exposeString('summary', { nullable: true, description: 'Summary in Chinese.' }),
    summaryEn: t.exposeString('summaryEn', { nullable: true, description: 'Summary in English.' }),
    lead: t.relation('lead', { nullable: true, description: 'Who led it.' }),
    participants: t.relation('participants', { description: 'Who went along.', query: { orderBy: { id: 'asc' } } }),
    findings: t.relation('findings', { description: 'What it found.', query: { orderBy: { id: 'asc' } } }),
  }),
});

export const FindingRef = builder.prismaNode('Finding', {
  nullable: true,
  authScopes: { records: true },
  description: 'A problem an inspection found at a site, who must fix it, and whether it is fixed.',
  id: { field: 'id' },
  fields: (t) => ({
    siteName: t.exposeString('siteName', { description: 'The site, as named in the record.' }),
    siteArea: t.relation('siteArea', { nullable: true, description: 'The site as an area, if it is one.' }),
    siteCheckpoint: t.relation('siteCheckpoint', { nullable: true, description: 'The site as a checkpoint, if it is one.' }),
    siteEnterprise: t.relation('siteEnterprise', { nullable: true, description: 'The site as an enterprise, if it is one.' }),
    problem: t.exposeString('problem', { description: 'The problem or instruction, in Chinese.' }),
    problemEn: t.exposeString('problemEn', { description: 'The problem or instruction, in English.' }),
    ownerDepartment: t.relation('ownerDepartment', { nullable: true, description: 'Unit that must fix it.' }),
    ownerPerson: t.relation('ownerPerson', { nullable: true, description: 'Leader responsible.' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'When it was fixed; null while open.' }),
    resolution: t.exposeString('resolution', { nullable: true, description: 'How it was fixed.' }),
    inspection: t.relation('inspection', { description: 'The inspection that found it.' }),
  }),
});

export const ResumptionApplicationRef = builder.prismaNode('ResumptionApplication', {
  nullable: true,
  authScopes: { records: true },
  description: "An enterprise's application to resume work (复产复工申请), handled in order of submission.",
  id: { field: 'id' },
  fields: (t) => ({
    enterprise: t.relation('enterprise', { description: 'The applicant.' }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', description: 'When it was submitted.' }),
    status: t.expose('status', { type: ApplicationStatus, description: 'Where it stands.' }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true, description: 'When it was decided.' }),
    decidedBy: t.relation('decidedBy', { nullable: true, description: 'Who decided.' }),
    decisionNote: t.exposeString('decisionNote', { nullable: true, description: 'Reasons given.' }),
    simulated: t.exposeBoolean('simulated', { description: 'Produced by the simulator; not real data.' }),
  }),
});

builder.queryFields((t) => ({
  meetings: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'Meeting',
      cursor: 'id',
      description: 'Meetings, newest first.',
      args: { held: t.arg({ type: TimeRangeInput, required: false, description: 'Only those held in this window.' }) },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.meeting.findMany({ ...query, where: heldWhere(args.held), orderBy: [{ heldAt: 'desc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.meeting.count({ where: heldWhere(args.held) }),
    },
    { description: 'A page of meetings.' },
  ),
  tasks: t.prismaConnection(
    {
      authScopes: { records: true },
      type: 'Task',
      cursor: 'id',
      description: 'Assigned tasks, soonest due first.',
      args: {
        status: t.arg({ type: TaskStatus, required: false, description: 'Only this status.' }),
        due: t.arg({ type: TimeRangeInput, required: false, description: 'Only those due in this window.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.task.findMany({ ...query, where: tasksWhere(args), orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.task.count({ where: tasksWhere(args) }),
    },
    { description: 'A page of tasks.' },
  ),
  inspections: t.prismaConnection(
    {
      authScopes: { records: true },
      type: 'Inspection',
      cursor: 'id',
      description: 'Inspections, newest first.',
      args: {
        kind: t.arg({ type: InspectionKind, required: false, description: 'Only this kind.' }),
        held: t.arg({ type: TimeRangeInput, required: false, description: 'Only those held in this window.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.inspection.findMany({
          ...query,
          where: { ...(args.kind ? { kind: args.kind } : {}), ...heldWhere(args.held) },
          orderBy: [{ heldAt: 'desc' }, { id: 'asc' }],
        });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.inspection.count({ where: { ...(args.kind ? { kind: args.kind } : {}), ...heldWhere(args.held) } }),
    },
    { description: 'A page of inspections.' },
  ),
  resumptionApplications: t.prismaConnection(
    {
      authScopes: { records: true },
      type: 'ResumptionApplication',
      cursor: 'id',
      description: 'Resumption applications in the order they are handled (oldest submission first).',
      args: { status: t.arg({ type: ApplicationStatus, required: false, description: 'Only this status.' }) },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.resumptionApplication.findMany({
          ...query,
          where: args.status ? { status: args.status } : {},
          orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }],
        });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.resumptionApplication.count({ where: args.status ? { status: args.status } : {} }),
    },
    { description: 'A page of resumption applications.' },
  ),
}));

function heldWhere(held: { from?: Date | null; to?: Date | null } | null | undefined) {
  return held ? { heldAt: timeRangeWhere(held) } : {};
}

function tasksWhere(args: { status?: $Enums.TaskStatus | null; due?: { from?: Date | null; to?: Date | null } | null }) {
  return { ...(args.status ? { status: args.status } : {}), ...(args.due ? { dueAt: timeRangeWhere(args.due) } : {}) };
}
