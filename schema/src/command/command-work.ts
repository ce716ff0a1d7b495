import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import type { OutboxEvent } from '../core/live.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, snapshot } from '../core/live-values.ts';
import { ownerOf, RESUMPTION_TARGET_WORKING_DAYS, workingDaysBetween } from '../briefings/content.ts';
import { isTaskOverdue, TaskStatus } from './command.ts';

// The command work as a wall display shows it (the command-work view): the latest meeting's
// directives with their tasks, inspection findings open and rectified per unit, and resumption
// applications waiting against the target. Tasks, findings and applications are records the
// display role may not list one by one; this is the command room's summary of them, with the
// briefing's definitions (owner, working days, target). No personal data: owners are the leaders
// and units named in the command structure.

export interface CommandWork {
  asOf: Date;
  asOfSeq: bigint;
  meeting: {
    title: string;
    titleEn: string;
    heldAt: Date;
    directives: {
      ordinal: number;
      text: string;
      textEn: string;
      tasks: { title: string; titleEn: string | null; owner: string; ownerEn: string; dueAt: Date | null; status: TaskStatusName; overdue: boolean }[];
    }[];
  } | null;
  findingsByUnit: { unit: string; unitEn: string; open: number; rectified: number }[];
  resumption: { targetWorkingDays: number; waiting: { enterpriseName: string; enterpriseNameEn: string; submittedAt: Date; workingDaysWaiting: number; overTarget: boolean }[] };
}

type TaskStatusName = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';

const EVENT_TYPES = ['directive:', 'task:', 'finding:', 'resumptionApplication:'];
const isCommandWorkEvent = (e: OutboxEvent) => EVENT_TYPES.some((prefix) => e.type.startsWith(prefix));
const ownerSelect = { select: { name: true, nameEn: true } } as const;

export async function computeCommandWork(ctx: Context): Promise<CommandWork> {
  const now = ctx.now();
  const { asOf, asOfSeq, values } = await snapshot(ctx, [
    ctx.prisma.meeting.findFirst({
      where: { heldAt: { lte: now } },
      orderBy: [{ heldAt: 'desc' }, { id: 'asc' }],
      select: {
        title: true,
        titleEn: true,
        heldAt: true,
        directives: {
          orderBy: { ordinal: 'asc' },
          select: {
            ordinal: true,
            text: true,
            textEn: true,
            tasks: {
              where: { status: { not: 'CANCELLED' } },
              orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
              select: { title: true, titleEn: true, dueAt: true, status: true, ownerPerson: ownerSelect, ownerDepartment: ownerSelect },
            },
          },
        },
      },
    }),
    ctx.prisma.finding.findMany({ select: { resolvedAt: true, ownerPerson: ownerSelect, ownerDepartment: ownerSelect }, orderBy: { id: 'asc' } }),
    ctx.prisma.resumptionApplication.findMany({
      where: { status: 'SUBMITTED' },
      orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }],
      select: { submittedAt: true, enterprise: { select: { name: true, nameEn: true } } },
    }),
  ]);
  const [meeting, findings, waiting] = values;

  const units = new Map<string, CommandWork['findingsByUnit'][number]>();
  for (const finding of findings) {
    // Per unit: the department that must fix it, else the leader named.
    const owner = ownerOf({ ownerDepartment: finding.ownerDepartment, ownerPerson: finding.ownerDepartment ? null : finding.ownerPerson });
    const row = units.get(owner.name) ?? { unit: owner.name, unitEn: owner.nameEn, open: 0, rectified: 0 };
    if (finding.resolvedAt && finding.resolvedAt <= now) row.rectified++;
    else row.open++;
    units.set(owner.name, row);
  }

  return {
    asOf,
    asOfSeq,
    meeting: meeting && {
      title: meeting.title,
      titleEn: meeting.titleEn,
      heldAt: meeting.heldAt,
      directives: meeting.directives.map((d) => ({
        ordinal: d.ordinal,
        text: d.text,
        textEn: d.textEn,
        tasks: d.tasks.map((task) => {
          const owner = ownerOf(task);
          return { title: task.title, titleEn: task.titleEn, owner: owner.name, ownerEn: owner.nameEn, dueAt: task.dueAt, status: task.status, overdue: isTaskOverdue(task, now) };
        }),
      })),
    },
    findingsByUnit: [...units.values()].sort((a, b) => b.open - a.open || a.unit.localeCompare(b.unit)),
    resumption: {
      targetWorkingDays: RESUMPTION_TARGET_WORKING_DAYS,
      waiting: waiting.map((a) => {
        const days = workingDaysBetween(a.submittedAt, now, ctx.timeZone);
        return { enterpriseName: a.enterprise.name, enterpriseNameEn: a.enterprise.nameEn, submittedAt: a.submittedAt, workingDaysWaiting: days, overTarget: days > RESUMPTION_TARGET_WORKING_DAYS };
      }),
    },
  };
}

type Meeting = NonNullable<CommandWork['meeting']>;
type Directive = Meeting['directives'][number];

const CommandWorkTaskRef = builder.objectRef<Directive['tasks'][number]>('CommandWorkTask').implement({
  description: 'A task carrying out a directive, as the command room follows it.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'What must be done, in Chinese.' }),
    titleEn: t.exposeString('titleEn', { nullable: true, description: 'In English, if given.' }),
    owner: t.exposeString('owner', { description: 'The leader or unit responsible (未指定 when none is named).' }),
    ownerEn: t.exposeString('ownerEn', { description: 'In English.' }),
    dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true, description: 'When it is due.' }),
    status: t.field({ type: TaskStatus, description: 'Where it stands.', resolve: (task) => task.status }),
    overdue: t.exposeBoolean('overdue', { description: 'Due time passed and not done (as Task.isOverdue).' }),
  }),
});

const CommandWorkDirectiveRef = builder.objectRef<Directive>('CommandWorkDirective').implement({
  description: 'A numbered requirement of the meeting (一要…) and the tasks carrying it out.',
  fields: (t) => ({
    ordinal: t.exposeInt('ordinal', { description: 'Its number (1 = 一要).' }),
    text: t.exposeString('text', { description: 'The requirement in Chinese.' }),
    textEn: t.exposeString('textEn', { description: 'In English.' }),
    tasks: t.field({ type: [CommandWorkTaskRef], description: 'Its tasks (cancelled ones left out), soonest due first.', resolve: (d) => d.tasks }),
  }),
});

const CommandWorkMeetingRef = builder.objectRef<Meeting>('CommandWorkMeeting').implement({
  description: 'The latest meeting held, with its directives.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Title in Chinese.' }),
    titleEn: t.exposeString('titleEn', { description: 'Title in English.' }),
    heldAt: t.expose('heldAt', { type: 'DateTime', description: 'When it was held.' }),
    directives: t.field({ type: [CommandWorkDirectiveRef], description: 'Its directives in order.', resolve: (m) => m.directives }),
  }),
});

const CommandWorkFindingsRef = builder.objectRef<CommandWork['findingsByUnit'][number]>('CommandWorkFindings').implement({
  description: "One unit's inspection findings.",
  fields: (t) => ({
    unit: t.exposeString('unit', { description: 'The unit that must fix them (the leader named when no unit is).' }),
    unitEn: t.exposeString('unitEn', { description: 'In English.' }),
    open: t.exposeInt('open', { description: 'Not rectified yet.' }),
    rectified: t.exposeInt('rectified', { description: 'Rectified.' }),
  }),
});

const CommandWorkApplicationRef = builder.objectRef<CommandWork['resumption']['waiting'][number]>('CommandWorkWaitingApplication').implement({
  description: 'A resumption application waiting for a decision.',
  fields: (t) => ({
    enterpriseName: t.exposeString('enterpriseName', { description: 'The applicant.' }),
    enterpriseNameEn: t.exposeString('enterpriseNameEn', { description: 'In English.' }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', description: 'When it was submitted.' }),
    workingDaysWaiting: t.exposeInt('workingDaysWaiting', { description: 'Working days (Monday to Friday) from the day after submission to today.' }),
    overTarget: t.exposeBoolean('overTarget', { description: 'Waiting longer than the target.' }),
  }),
});

const CommandWorkResumptionRef = builder.objectRef<CommandWork['resumption']>('CommandWorkResumption').implement({
  description: 'Resumption applications waiting, against the target of a decision within two working days.',
  fields: (t) => ({
    targetWorkingDays: t.exposeInt('targetWorkingDays', { description: 'The target, in working days.' }),
    waiting: t.field({ type: [CommandWorkApplicationRef], description: 'Waiting, oldest first (the order they are decided in).', resolve: (r) => r.waiting }),
  }),
});

export const CommandWorkRef = builder.objectRef<CommandWork>('CommandWork').implement({
  description: "The headquarters' command work as the wall shows it: no personal data, counts and the command structure's names only.",
  fields: (t) => ({
    ...asOfFields(t),
    meeting: t.field({ type: CommandWorkMeetingRef, nullable: true, description: 'The latest meeting held, with its directives and their tasks.', resolve: (w) => w.meeting }),
    findingsByUnit: t.field({ type: [CommandWorkFindingsRef], description: 'Inspection findings open and rectified per unit, most open first.', resolve: (w) => w.findingsByUnit }),
    resumption: t.field({ type: CommandWorkResumptionRef, description: 'Resumption applications waiting.', resolve: (w) => w.resumption }),
  }),
});

const description = "The command work the wall's command-work view shows: the latest meeting's directives with their tasks, findings per unit, resumption applications waiting.";

builder.queryField('commandWork', (t) =>
  t.field({ authScopes: { aggregates: true }, type: CommandWorkRef, description, resolve: (_root, _args, ctx) => computeCommandWork(ctx) }),
);

builder.subscriptionField('commandWork', (t) =>
  t.field({
    authScopes: { aggregates: true },
    type: CommandWorkRef,
    description: `${description} A snapshot, then a new value after every directive, task, finding or application event, and every minute (tasks fall overdue, applications age).`,
    subscribe: (_root, _args, ctx) =>
      liveFeed(ctx).watch<CommandWork>('commandWork', { relevant: isCommandWorkEvent, refreshMs: CLOCK_REFRESH_MS, compute: () => computeCommandWork(ctx) }),
    resolve: (value) => value,
  }),
);
