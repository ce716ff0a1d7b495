// Server refusals in the page's language: every error code of @fangkong/zone gets a sentence in
// Chinese and English, and the field issues of a ValidationError (field + the rule's English text,
// as schema/src/core/rules.ts writes them) are read back into their rule and worded again, with the
// field's own label and instants in the zone's local time. A rule this file does not know keeps the
// server's text, its instants still shown in local time, after the localised field label.
import { CHECKPOINT_FIGURES, ErrorCode, OUTPUT_FIGURES, toZonedIso } from '@fangkong/zone';
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

type Rule = { re: RegExp; zh: (m: RegExpExecArray, tz: string) => string; en: (m: RegExpExecArray, tz: string) => string };

/** The rules of schema/src/core/rules.ts, @fangkong/zone's figureIssues and the report mutations, by their wording. */
const RULES: Rule[] = [
  { re: /^must be a whole number ≥ 0; got (.+)$/, zh: (m) => `应为 0 或正整数（收到 ${m[1]}）`, en: (m) => `must be 0 or a whole number (got ${m[1]})` },
  { re: /^at most (\d+) per report; got (\d+)$/, zh: (m) => `每份报告最多 ${m[1]}（收到 ${m[2]}），请核对`, en: (m) => `at most ${m[1]} in one report (got ${m[2]}); check the figure` },
  {
    re: /^cannot exceed (\w+) \((\d+)\); got (\d+)$/,
    zh: (m) => `不能超过${fieldLabel('zh', m[1]!)}（${m[2]}），收到 ${m[3]}`,
    en: (m) => `cannot exceed ${fieldLabel('en', m[1]!).toLowerCase()} (${m[2]}); got ${m[3]}`,
  },
  { re: /^must be after periodStart \((.+)\)$/, zh: (m, tz) => `应晚于开始时间（${localDateTime(m[1]!, tz)}）`, en: (m, tz) => `must be after the start (${localDateTime(m[1]!, tz)})` },
  { re: /^a period covers at most (\d+) hours$/, zh: (m) => `一个时段最长 ${m[1]} 小时`, en: (m) => `a period covers at most ${m[1]} hours` },
  { re: /^is in the future \(now (.+)\)$/, zh: (m, tz) => `不能晚于当前时间（现在 ${localDateTime(m[1]!, tz)}）`, en: (m, tz) => `is in the future (it is now ${localDateTime(m[1]!, tz)})` },
  { re: /^is before 2019; check the date$/, zh: () => '早于 2019 年，请核对日期', en: () => 'is before 2019; check the date' },
  { re: /^must not be empty$/, zh: () => '不能为空', en: () => 'must not be empty' },
  { re: /^at most (\d+) characters; got (\d+)$/, zh: (m) => `最多 ${m[1]} 个字（收到 ${m[2]} 个）`, en: (m) => `at most ${m[1]} characters (got ${m[2]})` },
  { re: /^must be 8–128 printable ASCII characters/, zh: () => '格式有误（应为 8–128 个可打印字符）', en: () => 'is malformed (8–128 printable characters)' },
  { re: /^\S+ is closed since (.+)$/, zh: (m, tz) => `自 ${localDateTime(m[1]!, tz)} 起已关闭，不再接收该时段的报告`, en: (m, tz) => `closed since ${localDateTime(m[1]!, tz)}; it takes no report of this period` },
  { re: /^\S+ is closed$/, zh: () => '已关闭，不再接收报告', en: () => 'is closed and takes no reports' },
  {
    re: /^(\d+) exceeds twice the rated capacity for ([\d.]+) h \((\d+)\); check the figure$/,
    zh: (m) => `${m[1]} 超过该线 ${m[2]} 小时额定产能的两倍（${m[3]}），请核对`,
    en: (m) => `${m[1]} is over twice the line's rated capacity for ${m[2]} h (${m[3]}); check the figure`,
  },
  { re: /^this version was already corrected/, zh: () => '这份报告已被更正过，请更正最新的版本', en: () => 'this version was already corrected; correct the latest one' },
];

/** One field issue of a ValidationError, worded for the page (without the field's label). */
export function issueText(lang: Lang, message: string, timeZone: string): string {
  for (const rule of RULES) {
    const m = rule.re.exec(message);
    if (m) return rule[lang](m, timeZone);
  }
  return localiseInstants(message, timeZone);
}

/** A field issue with its label in front: "测温人数：每份报告最多 1000000（收到 …）". */
export function issueLine(lang: Lang, field: string, message: string, timeZone: string): string {
  return `${fieldLabel(lang, field)}${lang === 'zh' ? '：' : ': '}${issueText(lang, message, timeZone)}`;
}
