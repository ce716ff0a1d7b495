// Server refusals in the page's language: every error code of @fangkong/zone gets a sentence in
// Chinese and English, and each field issue of a ValidationError is worded from its rule code
// (@fangkong/zone's FieldRule) and values, with the field's own label and instants in the zone's
// local time. An issue of rule OTHER keeps the server's English, its instants shown in local time.
import { CHECKPOINT_FIGURES, ErrorCode, type FieldIssue, FieldRule, OUTPUT_FIGURES, toZonedIso } from '@fangkong/zone';
import type { Lang } from './messages.ts';

/** What each code means to the person who sent the request. */
const codeMessages: Record<Lang, Record<ErrorCode, string>> = {
  zh: {
    [ErrorCode.BadRequest]: '请求格式有误，请刷新页面后重试',
    [ErrorCode.BadUserInput]: '填写的内容有误',
    [ErrorCode.ValidationFailed]: '填写的内容不符合要求，未保存',
    [ErrorCode.GraphqlValidationFailed]: '页面版本与服务器不一致，请刷新页面',
    [ErrorCode.NotFound]: '要操作的对象不存在，或本令牌无权查看',
    [ErrorCode.IdempotencyConflict]: '该报告编号已用于另一组数字，本次未保存',
    [ErrorCode.OverlappingReport]: '该时段已有计入统计的报告，本次未计入',
    [ErrorCode.InvalidState]: '当前状态不允许这项操作，未保存',
    [ErrorCode.DayLocked]: '该日数据已审核锁定，需指挥人员重新开放后才能上报或更正',
    [ErrorCode.InsufficientStock]: '库存不足',
    [ErrorCode.Unauthenticated]: '令牌无效、已撤销或已过期',
    [ErrorCode.Forbidden]: '本令牌无权进行这项操作',
    [ErrorCode.PersistedQueryOnly]: '合作方令牌只能使用已发布的查询',
    [ErrorCode.RateLimited]: '请求过于频繁，请稍后再试',
    [ErrorCode.QueryTooCostly]: '请求的数据量超出本令牌的限额',
    [ErrorCode.StatementTimeout]: '服务器处理超时，请稍后再试',
    [ErrorCode.ServerBusy]: '服务器繁忙，请稍后再试',
    [ErrorCode.TooManySubscriptions]: '实时订阅数已达上限',
    [ErrorCode.TooManyStreams]: '实时数据流已达上限',
    [ErrorCode.DatabaseUnavailable]: '数据库暂时无法访问，未保存；稍后会自动重试',
    [ErrorCode.LengthRequired]: '请求缺少长度信息',
    [ErrorCode.PayloadTooLarge]: '提交的内容过大',
  },
  en: {
    [ErrorCode.BadRequest]: 'The request was malformed; reload the page and try again',
    [ErrorCode.BadUserInput]: 'Some of the input is wrong',
    [ErrorCode.ValidationFailed]: 'Some entries break the rules; nothing was saved',
    [ErrorCode.GraphqlValidationFailed]: 'This page is out of date for the server; reload it',
    [ErrorCode.NotFound]: 'What this refers to does not exist, or this token may not see it',
    [ErrorCode.IdempotencyConflict]: 'This report key was already used for other figures; nothing was saved',
    [ErrorCode.OverlappingReport]: 'A report already counted covers this period; nothing was added',
    [ErrorCode.InvalidState]: 'Not allowed in the current state; nothing was saved',
    [ErrorCode.DayLocked]: "That day's figures were approved and are locked; a commander must reopen the day first",
    [ErrorCode.InsufficientStock]: 'Not enough stock',
    [ErrorCode.Unauthenticated]: 'The token is unknown, revoked or expired',
    [ErrorCode.Forbidden]: 'This token may not do this',
    [ErrorCode.PersistedQueryOnly]: 'Partner tokens may run published operations only',
    [ErrorCode.RateLimited]: 'Too many requests; try again shortly',
    [ErrorCode.QueryTooCostly]: "The request asks for more than this token's budget",
    [ErrorCode.StatementTimeout]: 'The server took too long; try again shortly',
    [ErrorCode.ServerBusy]: 'The server is busy; try again shortly',
    [ErrorCode.TooManySubscriptions]: 'Too many live subscriptions',
    [ErrorCode.TooManyStreams]: 'Too many live streams',
    [ErrorCode.DatabaseUnavailable]: 'The database cannot be reached; nothing was saved; retrying on its own',
    [ErrorCode.LengthRequired]: 'The request had no length',
    [ErrorCode.PayloadTooLarge]: 'The submission is too large',
  },
};

/** The sentence for a code; a code this page does not know is named, so it can be looked up. */
export function errorMessage(lang: Lang, code: string): string {
  const known = (codeMessages[lang] as Record<string, string>)[code];
  if (known) return known;
  return lang === 'zh' ? `服务器拒绝了这次提交（代码 ${code}）` : `The server refused this (code ${code})`;
}

/** Every code with a sentence in both languages (for tests). */
export const localisedCodes = (lang: Lang): string[] => Object.keys(codeMessages[lang]);

/** Input fields of reports and corrections, labelled once: the figures from @fangkong/zone, the rest here. */
const otherFields: Record<Lang, Record<string, string>> = {
  zh: {
    checkpointId: '检查点',
    lineId: '生产线',
    periodStart: '开始时间',
    periodEnd: '结束时间',
    idempotencyKey: '报告编号',
    reportId: '被更正的报告',
    reason: '更正原因',
    status: '状态',
  },
  en: {
    checkpointId: 'Checkpoint',
    lineId: 'Production line',
    periodStart: 'From',
    periodEnd: 'To',
    idempotencyKey: 'Report key',
    reportId: 'Report corrected',
    reason: 'Reason for the correction',
    status: 'Status',
  },
};

export function fieldLabel(lang: Lang, field: string): string {
  const figure = [...CHECKPOINT_FIGURES, ...OUTPUT_FIGURES].find((f) => f.name === field);
  if (figure) return figure[lang];
  return otherFields[lang][field] ?? field;
}

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g;

/** "2020-02-07 10:00" in the zone: how the page shows an instant. */
export function localDateTime(iso: string | number, timeZone: string): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isNaN(ms) ? String(iso) : toZonedIso(ms, timeZone).slice(0, 16).replace('T', ' ');
}

/** The instants inside a text, shown in the zone's local time. */
export const localiseInstants = (text: string, timeZone: string): string => text.replace(ISO, (iso) => localDateTime(iso, timeZone));

type Values = Omit<FieldIssue, 'field' | 'message' | 'rule'>;
type Wording = Record<Lang, (v: Values, timeZone: string) => string>;
const n = (value: number | undefined) => String(value ?? '?');
const at = (v: Values, timeZone: string) => (v.at ? localDateTime(v.at, timeZone) : '?');

/** Each rule of @fangkong/zone's FieldRule worded from its values, in both languages. */
const WORDINGS: Record<Exclude<FieldRule, typeof FieldRule.Other>, Wording> = {
  [FieldRule.WholeNumber]: { zh: (v) => `应为 0 或正整数（收到 ${n(v.actual)}）`, en: (v) => `must be 0 or a whole number (got ${n(v.actual)})` },
  [FieldRule.AtMostPerReport]: {
    zh: (v) => `每份报告最多 ${n(v.limit)}（收到 ${n(v.actual)}），请核对`,
    en: (v) => `at most ${n(v.limit)} in one report (got ${n(v.actual)}); check the figure`,
  },
  [FieldRule.NotMoreThanField]: {
    zh: (v) => `不能超过${fieldLabel('zh', v.relatedField ?? '')}（${n(v.limit)}），收到 ${n(v.actual)}`,
    en: (v) => `cannot exceed ${fieldLabel('en', v.relatedField ?? '').toLowerCase()} (${n(v.limit)}); got ${n(v.actual)}`,
  },
  [FieldRule.EndAfterStart]: { zh: (v, tz) => `应晚于开始时间（${at(v, tz)}）`, en: (v, tz) => `must be after the start (${at(v, tz)})` },
  [FieldRule.PeriodTooLong]: { zh: (v) => `一个时段最长 ${n(v.limit)} 小时`, en: (v) => `a period covers at most ${n(v.limit)} hours` },
  [FieldRule.InFuture]: { zh: (v, tz) => `不能晚于当前时间（现在 ${at(v, tz)}）`, en: (v, tz) => `is in the future (it is now ${at(v, tz)})` },
  [FieldRule.TooEarly]: { zh: (v) => `早于 ${n(v.limit)} 年，请核对日期`, en: (v) => `is before ${n(v.limit)}; check the date` },
  [FieldRule.Required]: { zh: () => '不能为空', en: () => 'must not be empty' },
  [FieldRule.TooLong]: { zh: (v) => `最多 ${n(v.limit)} 个字（收到 ${n(v.actual)} 个）`, en: (v) => `at most ${n(v.limit)} characters (got ${n(v.actual)})` },
  [FieldRule.KeyFormat]: { zh: () => '格式有误（应为 8–128 个可打印字符）', en: () => 'is malformed (8–128 printable characters)' },
  [FieldRule.SiteClosed]: {
    zh: (v, tz) => (v.at ? `自 ${at(v, tz)} 起已关闭，不再接收该时段的报告` : '已关闭，不再接收报告'),
    en: (v, tz) => (v.at ? `closed since ${at(v, tz)}; it takes no report of this period` : 'is closed and takes no reports'),
  },
  [FieldRule.OverCapacity]: {
    zh: (v) => `${n(v.actual)} 超过该线这段时间额定产能的两倍（${n(v.limit)}），请核对`,
    en: (v) => `${n(v.actual)} is over twice the line's rated capacity for the period (${n(v.limit)}); check the figure`,
  },
};

/** The part of a field issue a page words: its rule and values, and the server's English for OTHER. */
export type IssueToWord = Pick<FieldIssue, 'message'> & { rule?: FieldRule | null; limit?: number | null; actual?: number | null; relatedField?: string | null; at?: string | null };

/** One field issue of a ValidationError, worded for the page from its rule (without the field's label). */
export function issueText(lang: Lang, issue: IssueToWord, timeZone: string): string {
  const wording = issue.rule && issue.rule !== FieldRule.Other ? WORDINGS[issue.rule] : undefined;
  if (!wording) return localiseInstants(issue.message, timeZone);
  const values: Values = {
    limit: issue.limit ?? undefined,
    actual: issue.actual ?? undefined,
    relatedField: issue.relatedField ?? undefined,
    at: issue.at ?? undefined,
  };
  return wording[lang](values, timeZone);
}

/** A field issue with its label in front: "测温人数：每份报告最多 1000000（收到 …）". */
export function issueLine(lang: Lang, field: string, issue: IssueToWord, timeZone: string): string {
  return `${fieldLabel(lang, field)}${lang === 'zh' ? '：' : ': '}${issueText(lang, issue, timeZone)}`;
}
