// What the printed page and the Word document of a briefing say, in Chinese (the default) and
// English: the labels, how numbers and dates are written, and the briefing as the two documents
// read it (the answer of the published PartnerBriefing operation). Both documents read it here.
import { CHECKPOINT_FIGURES } from '@fangkong/zone';

export type Lang = 'zh' | 'en';

type Counts = Record<(typeof CHECKPOINT_FIGURES)[number]['name'], number>;

/** The briefing as PartnerBriefing answers it (server/persisted-operations.json). */
export interface BriefingDocument {
  day: string;
  dayStart: string;
  dayEnd: string;
  number: number;
  version: number;
  asOfSeq: string;
  basis: 'APPROVED' | 'LIVE';
  provisional: boolean;
  approvalVersion: number | null;
  issuedAt: string;
  contentSha256: string;
  timeZone: string;
  firstDay: string;
  area: { slug: string; name: string; nameEn: string };
  headline: { day: Counts & { reports: number; simulatedReports: number }; previousDay: Counts; change: Counts; sinceFirstDay: Counts };
  byCheckpointKind: { kind: string; checkpoints: number; sitesReporting: number; sitesMissingPeriods: number; counts: Counts }[];
  sites: { checkpointId: string; name: string; nameEn: string; kind: string; expectedPeriods: number; receivedPeriods: number; missingPeriods: number; counts: Counts & { reports: number } }[];
  production: {
    lines: { name: string; nameEn: string; enterpriseName: string; enterpriseNameEn: string; productName: string; productNameEn: string; unit: string; unitEn: string; status: string; ratedDailyCapacity: number; produced: number; passedQc: number; simulatedReports: number }[];
    enterprises: { name: string; nameEn: string; produced: number; passedQc: number; ratedCapacity: number; linesProducing: number }[];
    statusChanges: { lineName: string; lineNameEn: string; from: string | null; to: string; at: string }[];
    allocations: { destination: string; productName: string; productNameEn: string; unit: string; unitEn: string; planned: number; dispatched: number; delivered: number }[];
    stock: { name: string; nameEn: string; unit: string; unitEn: string; produced: number; allocated: number; stock: number }[];
  };
  isolation: { underIsolation: number; started: number; ended: number; checksDue: number; checksDone: number; feverDuringIsolation: number; simulatedCases: number };
  command: {
    meetings: { title: string; titleEn: string; heldAt: string; directives: { ordinal: number; text: string; textEn: string }[] }[];
    tasks: { due: number; done: number; overdue: number; byOwner: { owner: string; ownerEn: string; due: number; done: number; overdue: number }[] };
    findings: { raised: number; rectified: number; openAtDayEnd: number; raisedToday: { siteName: string; problem: string; problemEn: string; rectified: boolean }[] };
    resumption: {
      received: number; decided: number; approved: number; rejected: number; withinTarget: number; overTarget: number; pendingOverTarget: number; targetWorkingDays: number;
      applications: { enterpriseName: string; enterpriseNameEn: string; submittedAt: string; decidedAt: string | null; status: string; workingDaysTaken: number | null; withinTarget: boolean | null }[];
    };
  };
  alerts: { raised: number; acknowledged: number; resolved: number; openAtDayEnd: number; raisedToday: { severity: string; kind: string; status: string; message: string; messageEn: string; raisedAt: string }[] };
  charts: { hourly: { start: string; peopleScreened: number; feverCases: number }[]; daily: { day: string; peopleScreened: number; feverCases: number }[] };
  simulated: { checkpointReports: number; outputReports: number; isolationCases: number };
}

export const FIGURES = CHECKPOINT_FIGURES;

const ENUMS: Record<string, Record<string, [string, string]>> = {
  kind: {
    EXPRESSWAY_EXIT: ['高速出口', 'Expressway exits'],
    ROAD: ['道路检查点', 'Road checkpoints'],
    COMPOUND_GATE: ['小区门岗', 'Compound gates'],
    MARKET: ['市场', 'Markets'],
    SUPERMARKET: ['超市', 'Supermarkets'],
  },
  status: {
    INSTALLING: ['安装中', 'installing'],
    COMMISSIONING: ['调试中', 'commissioning'],
    PRODUCING: ['生产中', 'producing'],
    IDLE: ['停产待料', 'idle'],
    HALTED: ['停机', 'halted'],
  },
  destination: {
    CITY: ['全市调度', 'City'],
    CHECKPOINT: ['检查点', 'Checkpoints'],
    COMMUNITY: ['社区', 'Communities'],
    MEDICAL_STAFF: ['医护人员', 'Medical staff'],
  },
  application: { SUBMITTED: ['待审批', 'waiting'], APPROVED: ['已批准', 'approved'], REJECTED: ['未批准', 'rejected'] },
  severity: { HIGH: ['高', 'high'], MEDIUM: ['中', 'medium'], LOW: ['低', 'low'] },
  alertStatus: { OPEN: ['未处理', 'open'], ACKNOWLEDGED: ['已确认', 'acknowledged'], RESOLVED: ['已解除', 'resolved'] },
};

/** An enum value's words. */
export const term = (lang: Lang, group: keyof typeof ENUMS, value: string | null) => (value ? (ENUMS[group]![value]?.[lang === 'zh' ? 0 : 1] ?? value) : '—');

/** Chinese or English, by the language. */
export const pick = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

export const num = (value: number) => value.toLocaleString('en-US');
export const signed = (value: number) => (value > 0 ? `+${num(value)}` : value < 0 ? `−${num(-value)}` : '0');
export const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—');

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2020年2月7日" or "7 February 2020". */
export function dayText(lang: Lang, day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return lang === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}

/** "截至2月7日24时" or "as of 24:00 on 7 February". */
export function asOfText(lang: Lang, day: string): string {
  const [, m, d] = day.split('-').map(Number) as [number, number, number];
  return lang === 'zh' ? `截至${m}月${d}日24时` : `as of 24:00 on ${d} ${MONTHS[m - 1]}`;
}

/** A local clock time "HH:MM" of an instant in the briefing's time zone. */
export function clockText(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

/** A local date and time "2020-02-07 09:30" of an instant. */
export function dateTimeText(at: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** The headquarters that issues the area's briefings (示范区（高新区）新型冠状病毒肺炎疫情防控指挥部). */
export function headquarters(lang: Lang, b: BriefingDocument): string {
  return lang === 'zh' ? `${b.area.name}新型冠状病毒肺炎疫情防控指挥部` : `Novel Coronavirus Prevention and Control Headquarters, ${b.area.nameEn}`;
}

export const title = (lang: Lang) => pick(lang, '专题简报', 'Daily Briefing');

/** "第3期" or "No. 3", with the version when reissued. */
export function issueText(lang: Lang, b: BriefingDocument): string {
  const version = b.version > 1 ? pick(lang, `（第${b.version}版）`, ` (version ${b.version})`) : '';
  return pick(lang, `第${b.number}期`, `No. ${b.number}`) + version;
}

/** What the figures stand on: approved (signed off), or provisional. */
export function basisText(lang: Lang, b: BriefingDocument): string {
  return b.basis === 'APPROVED'
    ? pick(lang, `数据已审核确认（第${b.approvalVersion}版）`, `Figures approved (sign-off version ${b.approvalVersion})`)
    : pick(lang, '初步数据，尚未审核确认', 'Provisional figures, not yet signed off');
}

/** Said when any of the figures are simulated. */
export function simulatedText(lang: Lang, b: BriefingDocument): string | null {
  const s = b.simulated;
  if (!s.checkpointReports && !s.outputReports && !s.isolationCases) return null;
  return pick(
    lang,
    `含模拟数据：检查点报告${s.checkpointReports}份、产量报告${s.outputReports}份、隔离记录${s.isolationCases}条。`,
    `Includes simulated data: ${s.checkpointReports} checkpoint reports, ${s.outputReports} output reports, ${s.isolationCases} isolation records.`,
  );
}

/** Section headings, in order. */
export function sections(lang: Lang) {
  return {
    headline: pick(lang, '一、总体情况', '1. Overview'),
    checkpoints: pick(lang, '二、检查点情况', '2. Checkpoints'),
    production: pick(lang, '三、防疫物资生产与调度', '3. Production and allocation of supplies'),
    isolation: pick(lang, '四、居家隔离', '4. Home isolation'),
    command: pick(lang, '五、指挥部工作', '5. Command work'),
    alerts: pick(lang, '六、预警情况', '6. Alerts'),
  };
}

/** The opening paragraph of the overview. */
export function headlineSentence(lang: Lang, b: BriefingDocument): string {
  const h = b.headline;
  if (lang === 'zh') {
    return `${asOfText(lang, b.day)}，全区各检查点当日检查车辆${num(h.day.vehiclesInspected)}辆、测温${num(h.day.peopleScreened)}人（较前一日${signed(h.change.peopleScreened)}），发现发热人员${num(h.day.feverCases)}人、涉鄂人员${num(h.day.hubeiLinked)}人，转诊${num(h.day.referred)}人，消杀${num(h.day.disinfections)}次。自${dayText(lang, b.firstDay)}以来累计测温${num(h.sinceFirstDay.peopleScreened)}人，发现发热人员${num(h.sinceFirstDay.feverCases)}人。`;
  }
  return `${asOfText(lang, b.day)[0]!.toUpperCase()}${asOfText(lang, b.day).slice(1)}, the checkpoints inspected ${num(h.day.vehiclesInspected)} vehicles and screened ${num(h.day.peopleScreened)} people (${signed(h.change.peopleScreened)} on the previous day), finding ${num(h.day.feverCases)} fever cases and ${num(h.day.hubeiLinked)} Hubei-linked people; ${num(h.day.referred)} were referred and ${num(h.day.disinfections)} disinfections done. Since ${dayText(lang, b.firstDay)}, ${num(h.sinceFirstDay.peopleScreened)} people have been screened and ${num(h.sinceFirstDay.feverCases)} fever cases found.`;
}

/** A name in the document's language. */
export const named = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);

/** A table of the briefing: a caption, the column heads, rows of cells; `numeric` columns align right. */
export interface BriefingTable {
  caption: string;
  head: string[];
  rows: string[][];
  numeric: boolean[];
  /** Shown instead of an empty table. */
  empty: string;
}

export type Block = { paragraph: string; emphasis?: boolean } | { table: BriefingTable } | { chart: 'hourly' | 'daily' };

export interface BriefingModel {
  headquarters: string;
  title: string;
  issue: string;
  date: string;
  basis: string;
  simulated: string | null;
  sections: { heading: string; blocks: Block[] }[];
  footer: string;
}

const table = (caption: string, head: string[], rows: (string | number)[][], numericFrom: number, empty: string): { table: BriefingTable } => ({
  table: { caption, head, rows: rows.map((row) => row.map((cell) => (typeof cell === 'number' ? num(cell) : cell))), numeric: head.map((_h, i) => i >= numericFrom), empty },
});

/** The briefing as sections of paragraphs, tables and charts: what both documents print. */
export function briefingModel(lang: Lang, b: BriefingDocument): BriefingModel {
  const s = sections(lang);
  const figureHeads = FIGURES.map((f) => pick(lang, f.zh, f.en));
  const figureCells = (c: Counts) => FIGURES.map((f) => c[f.name]);
  const h = b.headline;
  const p = b.production;
  const iso = b.isolation;
  const c = b.command;
  const tz = b.timeZone;
  return {
    headquarters: headquarters(lang, b),
    title: title(lang),
    issue: issueText(lang, b),
    date: dayText(lang, b.day),
    basis: basisText(lang, b),
    simulated: simulatedText(lang, b),
    footer: pick(lang, `数据位置 asOfSeq ${b.asOfSeq} · 内容校验 ${b.contentSha256.slice(0, 16)}`, `Outbox position asOfSeq ${b.asOfSeq} · content ${b.contentSha256.slice(0, 16)}`),
    sections: [
      {
        heading: s.headline,
        blocks: [
          { paragraph: headlineSentence(lang, b) },
          table(
            pick(lang, '主要数据', 'Headline figures'),
            [pick(lang, '项目', 'Figure'), pick(lang, '当日', 'Day'), pick(lang, '前一日', 'Previous day'), pick(lang, '增减', 'Change'), pick(lang, '累计', 'Since first day')],
            FIGURES.map((f) => [pick(lang, f.zh, f.en), h.day[f.name], h.previousDay[f.name], signed(h.change[f.name]), h.sinceFirstDay[f.name]]),
            1,
            '',
          ),
          { chart: 'daily' },
        ],
      },
      {
        heading: s.checkpoints,
        blocks: [
          table(
            pick(lang, '按检查点类别', 'By kind of checkpoint'),
            [pick(lang, '类别', 'Kind'), pick(lang, '检查点', 'Sites'), pick(lang, '已报', 'Reported'), pick(lang, '缺报', 'Missing periods'), ...figureHeads],
            b.byCheckpointKind.map((k) => [term(lang, 'kind', k.kind), k.checkpoints, k.sitesReporting, k.sitesMissingPeriods, ...figureCells(k.counts)]),
            1,
            pick(lang, '无检查点。', 'No checkpoints.'),
          ),
          table(
            pick(lang, '各检查点（含未报送）', 'Each checkpoint (including those that did not report)'),
            [pick(lang, '检查点', 'Checkpoint'), pick(lang, '应报/实报', 'Periods due/received'), ...figureHeads],
            b.sites.map((site) => [
              named(lang, site.name, site.nameEn) + (site.missingPeriods > 0 ? pick(lang, `（缺报${site.missingPeriods}次）`, ` (${site.missingPeriods} not reported)`) : ''),
              `${site.expectedPeriods}/${site.receivedPeriods}`,
              ...figureCells(site.counts),
            ]),
            1,
            pick(lang, '无检查点。', 'No checkpoints.'),
          ),
          { chart: 'hourly' },
        ],
      },
      {
        heading: s.production,
        blocks: [
          table(
            pick(lang, '各生产线产量与产能', 'Output of each line against rated capacity'),
            [pick(lang, '企业/生产线', 'Enterprise / line'), pick(lang, '产品', 'Product'), pick(lang, '状态', 'Status'), pick(lang, '产量', 'Produced'), pick(lang, '质检合格', 'Passed QC'), pick(lang, '额定日产能', 'Rated daily'), pick(lang, '产能利用', 'Utilisation')],
            p.lines.map((l) => [
              `${named(lang, l.enterpriseName, l.enterpriseNameEn)} ${named(lang, l.name, l.nameEn)}`,
              `${named(lang, l.productName, l.productNameEn)}（${named(lang, l.unit, l.unitEn)}）`,
              term(lang, 'status', l.status),
              l.produced,
              l.passedQc,
              l.ratedDailyCapacity,
              l.status === 'PRODUCING' ? percent(l.produced, l.ratedDailyCapacity) : '—',
            ]),
            3,
            pick(lang, '无生产线。', 'No production lines.'),
          ),
          table(
            pick(lang, '按企业', 'By enterprise'),
            [pick(lang, '企业', 'Enterprise'), pick(lang, '产量', 'Produced'), pick(lang, '质检合格', 'Passed QC'), pick(lang, '在产产能', 'Capacity producing'), pick(lang, '在产线数', 'Lines producing')],
            p.enterprises.map((e) => [named(lang, e.name, e.nameEn), e.produced, e.passedQc, e.ratedCapacity, e.linesProducing]),
            1,
            pick(lang, '无企业。', 'No enterprises.'),
          ),
          table(
            pick(lang, '生产线状态变化', 'Line status changes'),
            [pick(lang, '时间', 'Time'), pick(lang, '生产线', 'Line'), pick(lang, '变化', 'Change')],
            p.statusChanges.map((x) => [clockText(x.at, tz), named(lang, x.lineName, x.lineNameEn), `${term(lang, 'status', x.from)} → ${term(lang, 'status', x.to)}`]),
            9,
            pick(lang, '当日无状态变化。', 'No status changes on the day.'),
          ),
          table(
            pick(lang, '物资调拨（按去向）', 'Allocations by destination'),
            [pick(lang, '去向', 'Destination'), pick(lang, '物资', 'Product'), pick(lang, '下达', 'Allocated'), pick(lang, '发出', 'Dispatched'), pick(lang, '送达', 'Delivered')],
            p.allocations.map((a) => [term(lang, 'destination', a.destination), `${named(lang, a.productName, a.productNameEn)}（${named(lang, a.unit, a.unitEn)}）`, a.planned, a.dispatched, a.delivered]),
            2,
            pick(lang, '当日无调拨。', 'No allocations on the day.'),
          ),
          table(
            pick(lang, `${asOfText(lang, b.day)}库存`, `Stock ${asOfText(lang, b.day)}`),
            [pick(lang, '物资', 'Product'), pick(lang, '累计生产', 'Produced'), pick(lang, '累计调拨', 'Allocated'), pick(lang, '库存', 'Stock')],
            p.stock.map((x) => [`${named(lang, x.name, x.nameEn)}（${named(lang, x.unit, x.unitEn)}）`, x.produced, x.allocated, x.stock]),
            1,
            '',
          ),
        ],
      },
      {
        heading: s.isolation,
        blocks: [
          {
            paragraph: pick(
              lang,
              `${asOfText(lang, b.day)}，居家隔离${num(iso.underIsolation)}人；当日新增${num(iso.started)}人、解除${num(iso.ended)}人；应健康检查${num(iso.checksDue)}人、已检查${num(iso.checksDone)}人；隔离期间发热${num(iso.feverDuringIsolation)}人。`,
              `${asOfText(lang, b.day)[0]!.toUpperCase()}${asOfText(lang, b.day).slice(1)}, ${num(iso.underIsolation)} people were under home isolation; ${num(iso.started)} began and ${num(iso.ended)} ended it on the day; ${num(iso.checksDone)} of ${num(iso.checksDue)} due health checks were done; ${num(iso.feverDuringIsolation)} had fever during isolation.`,
            ),
          },
        ],
      },
      {
        heading: s.command,
        blocks: [
          ...(c.meetings.length
            ? c.meetings.flatMap((m): Block[] => [
                { paragraph: `${clockText(m.heldAt, tz)} ${named(lang, m.title, m.titleEn)}`, emphasis: true },
                ...m.directives.map((d): Block => ({ paragraph: `${pick(lang, `${chineseOrdinal(d.ordinal)}要`, `(${d.ordinal})`)} ${named(lang, d.text, d.textEn)}` })),
              ])
            : [{ paragraph: pick(lang, '当日无会议。', 'No meetings on the day.') }]),
          {
            paragraph: pick(
              lang,
              `任务：当日到期${c.tasks.due}项、已完成${c.tasks.done}项，逾期未完成${c.tasks.overdue}项。督查发现问题${c.findings.raised}个，当日整改${c.findings.rectified}个，尚未整改${c.findings.openAtDayEnd}个。复产复工申请：受理${c.resumption.received}件，办结${c.resumption.decided}件（批准${c.resumption.approved}件），其中${c.resumption.targetWorkingDays}个工作日内办结${c.resumption.withinTarget}件、超时${c.resumption.overTarget}件；超时待办${c.resumption.pendingOverTarget}件。`,
              `Tasks: ${c.tasks.due} due on the day, ${c.tasks.done} done; ${c.tasks.overdue} overdue. Inspections found ${c.findings.raised} problems; ${c.findings.rectified} were rectified on the day, ${c.findings.openAtDayEnd} remain open. Resumption applications: ${c.resumption.received} received, ${c.resumption.decided} decided (${c.resumption.approved} approved), ${c.resumption.withinTarget} within ${c.resumption.targetWorkingDays} working days and ${c.resumption.overTarget} later; ${c.resumption.pendingOverTarget} waiting beyond the target.`,
            ),
          },
          table(
            pick(lang, '任务（按责任人）', 'Tasks by owner'),
            [pick(lang, '责任人/单位', 'Owner'), pick(lang, '当日到期', 'Due'), pick(lang, '已完成', 'Done'), pick(lang, '逾期', 'Overdue')],
            c.tasks.byOwner.map((o) => [named(lang, o.owner, o.ownerEn), o.due, o.done, o.overdue]),
            1,
            pick(lang, '无到期或逾期任务。', 'No tasks due or overdue.'),
          ),
          table(
            pick(lang, '当日督查发现问题', 'Problems found by inspections of the day'),
            [pick(lang, '地点', 'Site'), pick(lang, '问题', 'Problem'), pick(lang, '整改', 'Rectified')],
            c.findings.raisedToday.map((f) => [f.siteName, named(lang, f.problem, f.problemEn), f.rectified ? pick(lang, '已整改', 'yes') : pick(lang, '未整改', 'no')]),
            9,
            pick(lang, '当日无督查发现。', 'No findings on the day.'),
          ),
          table(
            pick(lang, '复产复工申请', 'Resumption applications'),
            [pick(lang, '企业', 'Enterprise'), pick(lang, '受理', 'Received'), pick(lang, '办结', 'Decided'), pick(lang, '结果', 'Outcome'), pick(lang, '用时（工作日）', 'Working days')],
            c.resumption.applications.map((a) => [
              named(lang, a.enterpriseName, a.enterpriseNameEn),
              dateTimeText(a.submittedAt, tz),
              a.decidedAt ? dateTimeText(a.decidedAt, tz) : '—',
              term(lang, 'application', a.status),
              a.workingDaysTaken === null ? '—' : `${a.workingDaysTaken}${a.withinTarget ? '' : pick(lang, '（超时）', ' (late)')}`,
            ]),
            9,
            pick(lang, '无复产复工申请。', 'No resumption applications.'),
          ),
        ],
      },
      {
        heading: s.alerts,
        blocks: [
          {
            paragraph: pick(
              lang,
              `当日触发预警${b.alerts.raised}条，确认${b.alerts.acknowledged}条，解除${b.alerts.resolved}条；24时仍未解除${b.alerts.openAtDayEnd}条。`,
              `${b.alerts.raised} alerts were raised on the day, ${b.alerts.acknowledged} acknowledged and ${b.alerts.resolved} resolved; ${b.alerts.openAtDayEnd} were still open at 24:00.`,
            ),
          },
          table(
            pick(lang, '当日预警', 'Alerts of the day'),
            [pick(lang, '时间', 'Time'), pick(lang, '级别', 'Severity'), pick(lang, '内容', 'Alert'), pick(lang, '24时状态', 'At 24:00')],
            b.alerts.raisedToday.map((a) => [clockText(a.raisedAt, tz), term(lang, 'severity', a.severity), named(lang, a.message, a.messageEn), term(lang, 'alertStatus', a.status)]),
            9,
            pick(lang, '当日无预警。', 'No alerts on the day.'),
          ),
        ],
      },
    ],
  };
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 12 → 十二, 20 → 二十 (directives are numbered 一要…). */
export function chineseOrdinal(n: number): string {
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`;
  return String(n);
}
