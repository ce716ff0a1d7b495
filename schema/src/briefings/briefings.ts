import { createHash } from 'node:crypto';
import { type Briefing, outboxPosition, Prisma } from '@fangkong/prisma';
import { localDay } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { invalidArgument } from '../core/errors.ts';
import { listSize } from '../core/list-size.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { CheckpointCountsRef, CheckpointKind } from '../checkpoints/checkpoints.ts';
import type { CheckpointCounts } from '../checkpoints/counts.ts';
import { ApplicationStatus } from '../command/command.ts';
import { checkDayArgument } from '../completeness/completeness.ts';
import { FiguresBasis } from '../completeness/figures-basis.ts';
import { AlertRuleKind, AlertSeverity, AlertStatus } from '../alerts/alerts.ts';
import { AreaRef, loadArea } from '../places/places.ts';
import { LineStatus } from '../production/production.ts';
import type { AreaTotals } from '../summary/area-totals.ts';
import { AllocationDestination } from '../supplies/supplies.ts';
import { type BriefingContent, computeBriefingContent } from './content.ts';

// The daily briefing (专题简报): issued by a commander for an area and a local day that is over, its
// content computed from the data and frozen with the outbox position it reflects and its number
// (第N期). An issued briefing never changes (the database refuses it); issuing the same day again
// adds the next version under the same number. The content is typed GraphQL for partners, and the
// server prints it as a page and a Word document (server/src/http/briefing-documents.ts).

/** An issued briefing and its content, parsed once per row. */
interface IssuedBriefing {
  row: Briefing;
  content: BriefingContent;
}

const parsed = new WeakMap<Briefing, IssuedBriefing>();
const issued = (row: Briefing): IssuedBriefing => {
  let value = parsed.get(row);
  if (!value) parsed.set(row, (value = { row, content: JSON.parse(row.content) as BriefingContent }));
  return value;
};

type Counts = BriefingContent['headline']['day'];
type Content = BriefingContent;

const difference = (a: Counts, b: Counts): CheckpointCounts =>
  Object.fromEntries(Object.keys(a).map((key) => [key, a[key as keyof Counts] - b[key as keyof Counts]])) as unknown as CheckpointCounts;

const HeadlineRef = builder.objectRef<Content['headline']>('BriefingHeadline').implement({
  description: 'The headline figures of the checkpoints in the area, as of 24:00 of the day (截至24时).',
  fields: (t) => ({
    day: t.field({ type: CheckpointCountsRef, description: "The day's figures (the approved totals when the day was signed off).", resolve: (h) => h.day }),
    previousDay: t.field({ type: CheckpointCountsRef, description: "The previous day's figures.", resolve: (h) => h.previousDay }),
    change: t.field({ type: CheckpointCountsRef, description: 'day − previousDay, figure by figure (negative when fewer).', resolve: (h) => difference(h.day, h.previousDay) }),
    sinceFirstDay: t.field({ type: CheckpointCountsRef, description: 'Running total from the first day of the response (27 January 2020) to the end of the day.', resolve: (h) => h.sinceFirstDay }),
  }),
});

const KindRowRef = builder.objectRef<Content['byKind'][number]>('BriefingCheckpointKind').implement({
  description: 'Figures of one kind of checkpoint on the day.',
  fields: (t) => ({
    kind: t.field({ type: CheckpointKind, description: 'The kind.', resolve: (r) => r.kind as never }),
    checkpoints: t.exposeInt('checkpoints', { description: 'Checkpoints of this kind in the area.' }),
    sitesReporting: t.exposeInt('sitesReporting', { description: 'How many of them reported on the day.' }),
    sitesMissingPeriods: t.exposeInt('sitesMissingPeriods', { description: 'How many of them missed at least one expected period (reportingCompleteness).' }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Their figures summed.', resolve: (r) => r.counts }),
  }),
});

const SiteRowRef = builder.objectRef<Content['sites'][number]>('BriefingCheckpointSite').implement({
  description: "One checkpoint's line of the day's table, reported or not.",
  fields: (t) => ({
    checkpointId: t.exposeString('checkpointId', { description: 'The checkpoint (its slug).' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    nameEn: t.exposeString('nameEn', { description: 'Its English name.' }),
    kind: t.field({ type: CheckpointKind, description: 'Its kind.', resolve: (r) => r.kind as never }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Its figures of the day (as countsOn(day)).', resolve: (r) => r.counts }),
    expectedPeriods: t.exposeInt('expectedPeriods', { description: 'Reporting periods its schedule expected on the day (reportingCompleteness).' }),
    receivedPeriods: t.exposeInt('receivedPeriods', { description: 'Of those, periods with a current report.' }),
    missingPeriods: t.exposeInt('missingPeriods', { description: 'Periods not reported; above 0: the site did not report them.' }),
  }),
});

const LineRowRef = builder.objectRef<Content['production']['lines'][number]>('BriefingProductionLine').implement({
  description: "One production line's output of the day against its rated capacity.",
  fields: (t) => ({
    lineId: t.exposeString('lineId', { description: 'The line (its slug).' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    nameEn: t.exposeString('nameEn', { description: 'Its English name.' }),
    enterpriseName: t.exposeString('enterpriseName', { description: 'Its enterprise.' }),
    enterpriseNameEn: t.exposeString('enterpriseNameEn', { description: 'Its enterprise, in English.' }),
    productName: t.exposeString('productName', { description: 'What it makes.' }),
    productNameEn: t.exposeString('productNameEn', { description: 'What it makes, in English.' }),
    unit: t.exposeString('unit', { description: 'Unit of its output.' }),
    unitEn: t.exposeString('unitEn', { description: 'Unit, in English.' }),
    status: t.field({ type: LineStatus, description: 'Its status at the end of the day.', resolve: (r) => r.status as never }),
    ratedDailyCapacity: t.exposeInt('ratedDailyCapacity', { description: 'Rated daily capacity.' }),
    produced: t.exposeInt('produced', { description: 'Produced on the day (as outputOn(day)).' }),
    passedQc: t.exposeInt('passedQc', { description: 'Passed quality control on the day.' }),
    simulatedReports: t.exposeInt('simulatedReports', { description: 'Simulated reports among them; label the figure when above 0.' }),
  }),
});

const EnterpriseRowRef = builder.objectRef<Content['production']['enterprises'][number]>('BriefingEnterprise').implement({
  description: "One enterprise's lines together.",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The enterprise.' }),
    nameEn: t.exposeString('nameEn', { description: 'Its English name.' }),
    produced: t.exposeInt('produced', { description: 'Produced on the day (units differ by product).' }),
    passedQc: t.exposeInt('passedQc', { description: 'Passed quality control.' }),
    ratedCapacity: t.exposeInt('ratedCapacity', { description: 'Rated daily capacity of its lines producing at the end of the day.' }),
    linesProducing: t.exposeInt('linesProducing', { description: 'Its lines producing at the end of the day.' }),
  }),
});

const StatusChangeRef = builder.objectRef<Content['production']['statusChanges'][number]>('BriefingLineStatusChange').implement({
  description: 'A line status change of the day (installing → commissioning → producing …).',
  fields: (t) => ({
    lineName: t.exposeString('lineName', { description: 'The line.' }),
    lineNameEn: t.exposeString('lineNameEn', { description: 'The line, in English.' }),
    from: t.field({ type: LineStatus, nullable: true, description: 'Status before; null for the first.', resolve: (r) => r.from as never }),
    to: t.field({ type: LineStatus, description: 'Status after.', resolve: (r) => r.to as never }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (r) => new Date(r.at) }),
  }),
});

const AllocationRowRef = builder.objectRef<Content['production']['allocations'][number]>('BriefingAllocation').implement({
  description: 'Supplies of one product for one destination moved on the day (cancelled allocations left out).',
  fields: (t) => ({
    destination: t.field({ type: AllocationDestination, description: 'Who receives them.', resolve: (r) => r.destination as never }),
    productName: t.exposeString('productName', { description: 'The product.' }),
    productNameEn: t.exposeString('productNameEn', { description: 'The product, in English.' }),
    unit: t.exposeString('unit', { description: 'Unit.' }),
    unitEn: t.exposeString('unitEn', { description: 'Unit, in English.' }),
    planned: t.exposeInt('planned', { description: 'Allocated on the day.' }),
    dispatched: t.exposeInt('dispatched', { description: 'Sent on the day.' }),
    delivered: t.exposeInt('delivered', { description: 'Delivered on the day.' }),
  }),
});

const StockRowRef = builder.objectRef<Content['production']['stock'][number]>('BriefingStock').implement({
  description: 'Stock of one product at 24:00 (zone-wide, as zoneSummary.stock).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The product.' }),
    nameEn: t.exposeString('nameEn', { description: 'The product, in English.' }),
    unit: t.exposeString('unit', { description: 'Unit.' }),
    unitEn: t.exposeString('unitEn', { description: 'Unit, in English.' }),
    produced: t.exposeInt('produced', { description: 'Produced up to 24:00.' }),
    allocated: t.exposeInt('allocated', { description: 'Allocated up to 24:00.' }),
    stock: t.exposeInt('stock', { description: 'produced − allocated.' }),
  }),
});

const ProductionRef = builder.objectRef<Content['production']>('BriefingProduction').implement({
  description: 'Production, allocation and stock of the day.',
  fields: (t) => ({
    lines: t.field({ type: [LineRowRef], description: 'Every line of the area’s enterprises.', resolve: (p) => p.lines }),
    enterprises: t.field({ type: [EnterpriseRowRef], description: 'Per enterprise.', resolve: (p) => p.enterprises }),
    statusChanges: t.field({ type: [StatusChangeRef], description: 'Line status changes of the day, in order.', resolve: (p) => p.statusChanges }),
    allocations: t.field({ type: [AllocationRowRef], description: 'Allocations by destination and product.', resolve: (p) => p.allocations }),
    stock: t.field({ type: [StockRowRef], description: 'Stock per product at 24:00.', resolve: (p) => p.stock }),
  }),
});

const IsolationRef = builder.objectRef<Content['isolation']>('BriefingIsolation').implement({
  description: 'Home isolation in the area: counts only, never who.',
  fields: (t) => ({
    underIsolation: t.exposeInt('underIsolation', { description: 'People under home isolation at 24:00 (as zoneSummary.peopleUnderIsolation).' }),
    started: t.exposeInt('started', { description: 'Isolations begun on the day.' }),
    ended: t.exposeInt('ended', { description: 'Isolations ended on the day.' }),
    checksDue: t.exposeInt('checksDue', { description: "People owing the day's health check (under isolation when the day began)." }),
    checksDone: t.exposeInt('checksDone', { description: 'Of those, people checked on the day.' }),
    feverDuringIsolation: t.exposeInt('feverDuringIsolation', { description: 'People with a check at fever temperature (≥ 37.3 °C) on the day.' }),
    simulatedCases: t.exposeInt('simulatedCases', { description: 'Simulated cases among those under isolation.' }),
  }),
});

const DirectiveRowRef = builder.objectRef<Content['command']['meetings'][number]['directives'][number]>('BriefingDirective').implement({
  description: 'A numbered requirement of a meeting (一要…).',
  fields: (t) => ({
    ordinal: t.exposeInt('ordinal', { description: 'Its number.' }),
    text: t.exposeString('text', { description: 'The requirement.' }),
    textEn: t.exposeString('textEn', { description: 'In English.' }),
  }),
});

const MeetingRowRef = builder.objectRef<Content['command']['meetings'][number]>('BriefingMeeting').implement({
  description: 'A meeting held on the day, with its directives.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Title.' }),
    titleEn: t.exposeString('titleEn', { description: 'Title in English.' }),
    heldAt: t.field({ type: 'DateTime', description: 'When.', resolve: (m) => new Date(m.heldAt) }),
    directives: t.field({ type: [DirectiveRowRef], description: 'Its directives, in order.', resolve: (m) => m.directives }),
  }),
});

const TaskOwnerRef = builder.objectRef<Content['command']['tasks']['byOwner'][number]>('BriefingTaskOwner').implement({
  description: "One owner's (leader's or department's) tasks.",
  fields: (t) => ({
    owner: t.exposeString('owner', { description: 'The owner.' }),
    ownerEn: t.exposeString('ownerEn', { description: 'In English.' }),
    due: t.exposeInt('due', { description: 'Tasks due on the day.' }),
    done: t.exposeInt('done', { description: 'Of those, done when the briefing was issued.' }),
    overdue: t.exposeInt('overdue', { description: 'Tasks due by 24:00 and not done when the briefing was issued.' }),
  }),
});

const TasksRef = builder.objectRef<Content['command']['tasks']>('BriefingTasks').implement({
  description: 'Assigned tasks (cancelled ones left out).',
  fields: (t) => ({
    due: t.exposeInt('due', { description: 'Due on the day.' }),
    done: t.exposeInt('done', { description: 'Of those, done.' }),
    overdue: t.exposeInt('overdue', { description: 'Due by 24:00 and not done.' }),
    byOwner: t.field({ type: [TaskOwnerRef], description: 'Per owner, most overdue first.', resolve: (x) => x.byOwner }),
  }),
});

const FindingRowRef = builder.objectRef<Content['command']['findings']['raisedToday'][number]>('BriefingFinding').implement({
  description: 'A problem an inspection of the day found.',
  fields: (t) => ({
    siteName: t.exposeString('siteName', { description: 'Where.' }),
    problem: t.exposeString('problem', { description: 'The problem.' }),
    problemEn: t.exposeString('problemEn', { description: 'In English.' }),
    rectified: t.exposeBoolean('rectified', { description: 'Rectified by 24:00.' }),
  }),
});

const FindingsRef = builder.objectRef<Content['command']['findings']>('BriefingFindings').implement({
  description: 'Inspection findings.',
  fields: (t) => ({
    raised: t.exposeInt('raised', { description: 'Found by inspections held on the day.' }),
    rectified: t.exposeInt('rectified', { description: 'Rectified on the day.' }),
    openAtDayEnd: t.exposeInt('openAtDayEnd', { description: 'Not rectified at 24:00.' }),
    raisedToday: t.field({ type: [FindingRowRef], description: "The day's findings.", resolve: (f) => f.raisedToday }),
  }),
});

const ApplicationRowRef = builder.objectRef<Content['command']['resumption']['applications'][number]>('BriefingResumptionApplication').implement({
  description: 'A resumption application received or decided on the day, or still waiting.',
  fields: (t) => ({
    enterpriseName: t.exposeString('enterpriseName', { description: 'The enterprise.' }),
    enterpriseNameEn: t.exposeString('enterpriseNameEn', { description: 'In English.' }),
    submittedAt: t.field({ type: 'DateTime', description: 'Received.', resolve: (a) => new Date(a.submittedAt) }),
    decidedAt: t.field({ type: 'DateTime', nullable: true, description: 'Decided, by 24:00; null while waiting.', resolve: (a) => (a.decidedAt ? new Date(a.decidedAt) : null) }),
    status: t.field({ type: ApplicationStatus, description: 'Its status at 24:00.', resolve: (a) => a.status as never }),
    workingDaysTaken: t.exposeInt('workingDaysTaken', { nullable: true, description: 'Working days (Monday to Friday) from the day after receipt to the decision; null while waiting.' }),
    withinTarget: t.exposeBoolean('withinTarget', { nullable: true, description: 'Decided within the target of two working days; null while waiting.' }),
  }),
});

const ResumptionRef = builder.objectRef<Content['command']['resumption']>('BriefingResumption').implement({
  description: 'Applications to resume work (复产复工申请) against the target of a decision within two working days.',
  fields: (t) => ({
    received: t.exposeInt('received', { description: 'Received on the day.' }),
    decided: t.exposeInt('decided', { description: 'Decided on the day.' }),
    approved: t.exposeInt('approved', { description: 'Approved on the day.' }),
    rejected: t.exposeInt('rejected', { description: 'Rejected on the day.' }),
    withinTarget: t.exposeInt('withinTarget', { description: 'Decided on the day within the target.' }),
    overTarget: t.exposeInt('overTarget', { description: 'Decided on the day after the target.' }),
    pendingOverTarget: t.exposeInt('pendingOverTarget', { description: 'Waiting at 24:00 for longer than the target.' }),
    targetWorkingDays: t.exposeInt('targetWorkingDays', { description: 'The target, in working days (2).' }),
    applications: t.field({ type: [ApplicationRowRef], description: 'The applications, oldest first.', resolve: (r) => r.applications }),
  }),
});

const CommandRef = builder.objectRef<Content['command']>('BriefingCommandWork').implement({
  description: "The headquarters' command work of the day (zone-wide).",
  fields: (t) => ({
    meetings: t.field({ type: [MeetingRowRef], description: 'Meetings held and their directives.', resolve: (c) => c.meetings }),
    tasks: t.field({ type: TasksRef, description: 'Tasks due, done and overdue, by owner.', resolve: (c) => c.tasks }),
    findings: t.field({ type: FindingsRef, description: 'Inspection findings raised and rectified.', resolve: (c) => c.findings }),
    resumption: t.field({ type: ResumptionRef, description: 'Resumption applications.', resolve: (c) => c.resumption }),
  }),
});

const AlertRowRef = builder.objectRef<Content['alerts']['raisedToday'][number]>('BriefingAlert').implement({
  description: 'An alert raised on the day (no personal data).',
  fields: (t) => ({
    severity: t.field({ type: AlertSeverity, description: 'How urgent.', resolve: (a) => a.severity as never }),
    kind: t.field({ type: AlertRuleKind, description: 'What rule raised it.', resolve: (a) => a.kind as never }),
    status: t.field({ type: AlertStatus, description: 'Where it stood at 24:00.', resolve: (a) => a.status as never }),
    message: t.exposeString('message', { description: 'What happened.' }),
    messageEn: t.exposeString('messageEn', { description: 'In English.' }),
    raisedAt: t.field({ type: 'DateTime', description: 'When it was raised.', resolve: (a) => new Date(a.raisedAt) }),
  }),
});

const AlertsRef = builder.objectRef<Content['alerts']>('BriefingAlerts').implement({
  description: 'Alerts (预警) of the day in the area.',
  fields: (t) => ({
    raised: t.exposeInt('raised', { description: 'Raised on the day.' }),
    acknowledged: t.exposeInt('acknowledged', { description: 'Acknowledged on the day.' }),
    resolved: t.exposeInt('resolved', { description: 'Resolved on the day.' }),
    openAtDayEnd: t.exposeInt('openAtDayEnd', { description: 'Not resolved at 24:00.' }),
    raisedToday: t.field({ type: [AlertRowRef], description: 'The alerts raised on the day, most severe first.', resolve: (a) => a.raisedToday }),
  }),
});

const HourPointRef = builder.objectRef<Content['charts']['hourly'][number]>('BriefingHourPoint').implement({
  description: 'One local hour of the day.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the hour.', resolve: (p) => new Date(p.start) }),
    peopleScreened: t.exposeInt('peopleScreened', { description: 'People screened.' }),
    feverCases: t.exposeInt('feverCases', { description: 'Fever cases.' }),
  }),
});

const DayPointRef = builder.objectRef<Content['charts']['daily'][number]>('BriefingDayPoint').implement({
  description: 'One local day of the response.',
  fields: (t) => ({
    day: t.field({ type: 'Date', description: 'The day.', resolve: (p) => p.day }),
    peopleScreened: t.exposeInt('peopleScreened', { description: 'People screened.' }),
    feverCases: t.exposeInt('feverCases', { description: 'Fever cases.' }),
  }),
});

const ChartsRef = builder.objectRef<Content['charts']>('BriefingCharts').implement({
  description: "The series behind the briefing's charts (as checkpointSeries).",
  fields: (t) => ({
    hourly: t.field({ type: [HourPointRef], description: "The day's screening per local hour.", resolve: (c) => c.hourly }),
    daily: t.field({ type: [DayPointRef], description: 'People screened and fever cases per day since 27 January (at most the last 62 days).', resolve: (c) => c.daily }),
  }),
});

const SimulatedRef = builder.objectRef<Content['simulated']>('BriefingSimulated').implement({
  description: 'How much of the content is simulated (label it when above 0).',
  fields: (t) => ({
    checkpointReports: t.exposeInt('checkpointReports', { description: "Simulated checkpoint reports in the day's figures." }),
    outputReports: t.exposeInt('outputReports', { description: "Simulated output reports in the day's figures." }),
    isolationCases: t.exposeInt('isolationCases', { description: 'Simulated isolation cases.' }),
  }),
});

export const BriefingRef = builder.objectRef<IssuedBriefing>('Briefing').implement({
  description: 'An issued daily briefing (专题简报): frozen as issued, never changed; a later issue of the same day is a new version.',
  fields: (t) => ({
    id: t.id({ description: 'Its id.', resolve: (b) => b.row.id }),
    area: t.field({ type: AreaRef, description: 'The area it covers (everything below it).', resolve: async (b, _a, ctx) => (await loadArea(ctx, b.row.areaId))! }),
    day: t.field({ type: 'Date', description: 'The local day it reports.', resolve: (b) => b.row.day }),
    dayStart: t.field({ type: 'DateTime', description: 'Local 00:00 of the day.', resolve: (b) => new Date(b.content.dayStart) }),
    dayEnd: t.field({ type: 'DateTime', description: 'Local 24:00 of the day (截至24时).', resolve: (b) => new Date(b.content.dayEnd) }),
    number: t.int({ description: 'The issue number (第N期), the same for every version of the day.', resolve: (b) => b.row.number }),
    version: t.int({ description: '1, then one more per reissue of the day.', resolve: (b) => b.row.version }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the content includes.', resolve: (b) => b.row.asOfSeq }),
    basis: t.field({ type: FiguresBasis, description: 'APPROVED when the day was signed off for the area when issued, else LIVE.', resolve: (b) => b.row.basis as 'APPROVED' | 'LIVE' }),
    provisional: t.boolean({ description: 'True unless the figures were approved (标注为初步数据).', resolve: (b) => b.row.basis !== 'APPROVED' }),
    approvalVersion: t.int({ nullable: true, description: 'The approved version used, when APPROVED.', resolve: (b) => b.row.approvalVersion }),
    issuedAt: t.field({ type: 'DateTime', description: 'When it was issued.', resolve: (b) => b.row.issuedAt }),
    issuedBy: t.string({ authScopes: { records: true }, description: 'Who issued it (the token\'s role and label).', resolve: (b) => b.row.issuedBy }),
    contentSha256: t.string({ description: 'SHA-256 of the stored content: equal for a version whenever it is read.', resolve: (b) => b.row.contentSha256 }),
    timeZone: t.string({ description: 'The time zone the day was read in.', resolve: (b) => b.content.timeZone }),
    firstDay: t.field({ type: 'Date', description: 'The first day of the running totals.', resolve: (b) => b.content.firstDay }),
    headline: t.field({ type: HeadlineRef, description: 'Headline figures: the day, the change against the previous day, the running total.', resolve: (b) => b.content.headline }),
    byCheckpointKind: t.field({ type: [KindRowRef], description: 'Per kind of checkpoint.', resolve: (b) => b.content.byKind }),
    sites: t.field({ type: [SiteRowRef], description: 'Every checkpoint of the area, those that did not report included.', resolve: (b) => b.content.sites }),
    production: t.field({ type: ProductionRef, description: 'Production, allocation and stock.', resolve: (b) => b.content.production }),
    isolation: t.field({ type: IsolationRef, description: 'Home isolation, counts only.', resolve: (b) => b.content.isolation }),
    command: t.field({ type: CommandRef, description: 'Command work.', resolve: (b) => b.content.command }),
    alerts: t.field({ type: AlertsRef, description: 'Alerts of the day.', resolve: (b) => b.content.alerts }),
    charts: t.field({ type: ChartsRef, description: 'The charts’ series.', resolve: (b) => b.content.charts }),
    simulated: t.field({ type: SimulatedRef, description: 'Simulated data included.', resolve: (b) => b.content.simulated }),
    printPath: t.string({ description: 'Where the server prints it (an HTML page for A4; add ?lang=en for English); send the token as for the API.', resolve: (b) => briefingPath(b.row) }),
    docxPath: t.string({ description: 'The same briefing as a Word document.', resolve: (b) => `${briefingPath(b.row)}.docx` }),
  }),
});

/** The readable path of a briefing's documents: /briefings/<area>/<day>/v<version>. */
export const briefingPath = (row: Pick<Briefing, 'areaId' | 'day' | 'version'>) => `/briefings/${encodeURIComponent(row.areaId)}/${row.day}/v${row.version}`;

/** The area a briefing covers when none is named: the zone (the top of the administrative tree). */
async function areaOrZone(ctx: Context, areaId: string | null): Promise<string | null> {
  if (areaId) return (await ctx.prisma.area.findUnique({ where: { id: areaId }, select: { id: true } }))?.id ?? null;
  return (await ctx.prisma.area.findFirst({ where: { parentId: null }, orderBy: { path: 'asc' }, select: { id: true } }))?.id ?? null;
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

const BriefingPayload = builder.objectRef<{ briefing: IssuedBriefing }>('BriefingPayload').implement({
  description: 'The briefing just issued.',
  fields: (t) => ({ briefing: t.field({ type: BriefingRef, description: 'It.', resolve: (p) => p.briefing }) }),
});

builder.mutationFields((t) => ({
  issueBriefing: t.field({
    authScopes: { command: true },
    type: BriefingPayload,
    description:
      "Issue the daily briefing of an area (default the zone) for a local day that is over: its content is computed from the data, frozen with the outbox position it reflects and a number (第N期), and never changes. Issuing the day again adds the next version under the same number. Uses the approved figures when the day is signed off for the area; otherwise the briefing is provisional. Commanders and admins.",
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
      areaId: t.arg.globalID({ for: AreaRef, required: false, description: 'The area (everything below it); default the zone.' }),
    },
    resolve: async (_root, args, ctx) => {
      checkDayArgument(args.day, 'day');
      const range = localDay(args.day, ctx.timeZone);
      if (range.end > ctx.now()) throw new ValidationError([{ field: 'day', message: `${args.day} is not over yet (it ends ${range.end.toISOString()}); a briefing reports a day as of 24:00` }]);
      const wanted = args.areaId ? String(args.areaId.id) : null;
      const areaId = await areaOrZone(ctx, wanted);
      if (!areaId) throw new NotFoundError('area', wanted ?? 'zone', 'areaId');
      try {
        return await commitChange(ctx, async (tx) => {
          // One snapshot for every figure; reports being written finish first and new ones wait until
          // this commits, so every report up to asOfSeq is counted (as zoneSummary's asOfSeq says).
          await tx.$executeRawUnsafe('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await tx.$executeRaw`LOCK TABLE "CheckpointReport", "OutputReport" IN SHARE MODE`;
          const [seq] = await outboxPosition(tx);
          const approval = await tx.dayApproval.findFirst({ where: { areaId, day: args.day, reopenedAt: null }, orderBy: { version: 'desc' } });
          const content = await computeBriefingContent(ctx.prisma, tx, {
            areaId,
            day: args.day,
            timeZone: ctx.timeZone,
            now: ctx.now(),
            approved: approval ? (approval.totals as unknown as AreaTotals) : null,
          });
          const text = JSON.stringify(content);
          const earlier = await tx.briefing.findFirst({ where: { areaId, day: args.day }, orderBy: { version: 'desc' }, select: { number: true, version: true } });
          const lastNumber = earlier ? null : await tx.briefing.aggregate({ where: { areaId }, _max: { number: true } });
          const row = await tx.briefing.create({
            data: {
              areaId,
              day: args.day,
              version: (earlier?.version ?? 0) + 1,
              number: earlier?.number ?? (lastNumber?._max.number ?? 0) + 1,
              asOfSeq: seq?.seq ?? 0n,
              basis: approval ? 'APPROVED' : 'LIVE',
              approvalVersion: approval?.version ?? null,
              issuedBy: ctx.actor,
              issuedAt: ctx.now(),
              content: text,
              contentSha256: createHash('sha256').update(text).digest('hex'),
            },
          });
          const { content: _content, ...summary } = row;
          return {
            value: { briefing: issued(row) },
            change: {
              type: 'briefing:issued',
              entityType: 'Briefing',
              entityId: row.id,
              after: { ...summary, asOfSeq: row.asOfSeq.toString() },
              payload: { areaId, day: row.day, number: row.number, version: row.version, asOfSeq: row.asOfSeq.toString(), basis: row.basis, path: briefingPath(row) },
            },
          };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new InvalidStateError('day', 'ISSUED', `a briefing of ${args.day} was just issued for ${areaId} by someone else; issue again for the next version`);
        throw error;
      }
    },
  }),
}));

/** One issued briefing by area, day and version (the latest when no version). */
export async function findBriefing(ctx: Context, args: { areaId: string | null; day: string; version?: number | null }): Promise<IssuedBriefing | null> {
  const areaId = await areaOrZone(ctx, args.areaId);
  if (!areaId) return null;
  const row = await ctx.prisma.briefing.findFirst({
    where: { areaId, day: args.day, ...(args.version != null ? { version: args.version } : {}) },
    orderBy: { version: 'desc' },
  });
  return row ? issued(row) : null;
}

builder.queryFields((t) => ({
  briefing: t.field({
    authScopes: { aggregates: true },
    type: BriefingRef,
    nullable: true,
    description: 'An issued daily briefing of an area (default the zone) for a local day: the version asked, or the latest; null when none was issued.',
    args: {
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
      areaId: t.arg.globalID({ for: AreaRef, required: false, description: 'The area; default the zone.' }),
      version: t.arg.int({ required: false, description: 'The version; default the latest.' }),
    },
    resolve: (_root, args, ctx) => {
      checkDayArgument(args.day, 'day');
      return findBriefing(ctx, { areaId: args.areaId ? String(args.areaId.id) : null, day: args.day, version: args.version });
    },
  }),
  briefings: t.field({
    authScopes: { aggregates: true },
    type: [BriefingRef],
    description: 'Issued briefings, newest day first and each day\'s latest version first; every version with `allVersions`.',
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: false, description: 'Only this area’s.' }),
      from: t.arg({ type: 'Date', required: false, description: 'Days from this one.' }),
      to: t.arg({ type: 'Date', required: false, description: 'Days up to this one.' }),
      allVersions: t.arg.boolean({ required: false, defaultValue: false, description: 'Every version, not only the latest of each day.' }),
      first: t.arg.int({ required: false, defaultValue: 50, description: 'At most this many (default 50, at most 500).' }),
    },
    extensions: listSize((args) => Number(args.first ?? 50)),
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 0 || first > 500) throw invalidArgument('first', 'must be 0 to 500');
      const keys = await ctx.prisma.briefing.findMany({
        where: {
          ...(args.areaId ? { areaId: String(args.areaId.id) } : {}),
          ...(args.from || args.to ? { day: { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lte: args.to } : {}) } } : {}),
        },
        orderBy: [{ day: 'desc' }, { areaId: 'asc' }, { version: 'desc' }],
        // The latest version of each day is the first of its group; older ones are skipped unless asked.
        take: args.allVersions ? first : undefined,
        select: { id: true, areaId: true, day: true },
      });
      const seen = new Set<string>();
      const shown = (args.allVersions ? keys : keys.filter((row) => !seen.has(`${row.areaId}|${row.day}`) && seen.add(`${row.areaId}|${row.day}`))).slice(0, first);
      // Only the briefings shown are read whole.
      const rows = new Map((await ctx.prisma.briefing.findMany({ where: { id: { in: shown.map((row) => row.id) } } })).map((row) => [row.id, row]));
      return shown.map((row) => issued(rows.get(row.id)!));
    },
  }),
}));
