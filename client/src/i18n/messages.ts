// Chinese by default (the command room), English with ?lang=en.
import { ErrorCode } from '@fangkong/zone';

export type Lang = 'zh' | 'en';

export function pickLang(search: string): Lang {
  return new URLSearchParams(search).get('lang')?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

const zh = {
  zoneName: '示范区（高新区）疫情防控指挥部',
  wallTitle: '疫情防控实时数据',
  live: '实时',
  connecting: '正在连接',
  reconnecting: '正在重连',
  staleSince: (time: string) => `数据停止更新 · 自 ${time}`,
  attempt: (n: number) => `第 ${n} 次重试`,
  refused: (code: string) =>
    code === ErrorCode.Unauthenticated ? '令牌无效，请联系管理员' : code === ErrorCode.RateLimited ? '请求过于频繁' : code === ErrorCode.Forbidden ? '令牌无权查看' : `服务器拒绝：${code}`,
  simulated: '模拟数据',
  simulatedNote: '含模拟数据',
  vehiclesInspected: '检查车辆',
  peopleScreened: '测温人员',
  feverCases: '发热人员',
  referred: '转送隔离/就医',
  peopleUnderIsolation: '居家隔离',
  unitVehicles: '辆',
  unitPeople: '人',
  today: '今日',
  yesterday: '昨日',
  ranking: '检查点测温排行',
  hourly: '分时测温人数 · 今日对比昨日',
  masks: '口罩生产 · 今日产量 / 日产能',
  masksToday: '今日口罩产量',
  unitPieces: '只',
  maskMeta: (capacity: string, qcRate: string, lines: number) => `日产能 ${capacity} · 合格率 ${qcRate} · 在产线 ${lines} 条`,
  byLine: '生产线',
  byEnterprise: '企业',
  stock: '物资库存',
  stale: '未按时上报',
  neverReported: '今日未上报',
  lastReport: (time: string) => `最近上报 ${time}`,
  noData: '暂无数据',
  alerts: '预警',
  noAlerts: '暂无预警',
  reportedThisHour: '本小时上报',
  notReported: '未报：',
  allReported: '全部按时上报',
  nothingDue: '本小时无应报',
  alertAge: (minutes: number) => (minutes < 1 ? '刚刚' : minutes < 60 ? `${minutes} 分钟前` : `${Math.floor(minutes / 60)} 小时前`),
  severity: { HIGH: '高', MEDIUM: '中', LOW: '低' } as Record<string, string>,
  acknowledged: '已处置中',
  qc: '合格',
  capacity: '产能',
  status: {
    PRODUCING: '生产中',
    COMMISSIONING: '调试中',
    INSTALLING: '安装中',
    IDLE: '停机',
    HALTED: '停产',
  } as Record<string, string>,
  asOf: (time: string) => `数据截至 ${time}`,
  hour: (h: number) => `${h}时`,
  fever: '发热',
  checkpointKinds: {
    EXPRESSWAY_EXIT: '高速出口',
    ROAD: '道路',
    COMPOUND_GATE: '小区门岗',
    SUPERMARKET: '超市',
    MARKET: '市场',
  } as Record<string, string>,
};

type Messages = typeof zh;

const en: Messages = {
  zoneName: 'Demonstration Zone (High-tech Zone) Epidemic Prevention and Control HQ',
  wallTitle: 'Live figures',
  live: 'Live',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  staleSince: (time) => `Stale since ${time}`,
  attempt: (n) => `retry ${n}`,
  refused: (code) =>
    code === ErrorCode.Unauthenticated ? 'Token rejected: ask an administrator' : code === ErrorCode.RateLimited ? 'Rate limited' : code === ErrorCode.Forbidden ? 'Token may not view this' : `Refused: ${code}`,
  simulated: 'Simulated',
  simulatedNote: 'includes simulated data',
  vehiclesInspected: 'Vehicles inspected',
  peopleScreened: 'People screened',
  feverCases: 'Fever cases',
  referred: 'Referred',
  peopleUnderIsolation: 'Under home isolation',
  unitVehicles: '',
  unitPeople: '',
  today: 'Today',
  yesterday: 'Yesterday',
  ranking: 'Checkpoints by people screened',
  hourly: 'People screened per hour · today vs yesterday',
  masks: 'Masks · output today / daily capacity',
  masksToday: 'Masks made today',
  unitPieces: 'pcs',
  maskMeta: (capacity, qcRate, lines) => `capacity ${capacity}/day · ${qcRate} passed QC · ${lines} lines producing`,
  byLine: 'Lines',
  byEnterprise: 'Enterprises',
  stock: 'Stock',
  stale: 'Overdue',
  neverReported: 'No report today',
  lastReport: (time) => `last report ${time}`,
  noData: 'No data yet',
  alerts: 'Alerts',
  noAlerts: 'No open alerts',
  reportedThisHour: 'Reported this hour',
  notReported: 'Missing: ',
  allReported: 'all reported',
  nothingDue: 'nothing due this hour',
  alertAge: (minutes) => (minutes < 1 ? 'just now' : minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`),
  severity: { HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low' },
  acknowledged: 'being handled',
  qc: 'passed QC',
  capacity: 'capacity',
  status: {
    PRODUCING: 'Producing',
    COMMISSIONING: 'Commissioning',
    INSTALLING: 'Installing',
    IDLE: 'Idle',
    HALTED: 'Halted',
  },
  asOf: (time) => `as of ${time}`,
  hour: (h) => `${h}:00`,
  fever: 'Fever',
  checkpointKinds: {
    EXPRESSWAY_EXIT: 'Expressway exit',
    ROAD: 'Road',
    COMPOUND_GATE: 'Compound gate',
    SUPERMARKET: 'Supermarket',
    MARKET: 'Market',
  },
};

export const wallMessages: Record<Lang, Messages> = { zh, en };
export type WallMessages = Messages;

/** A seed name in the chosen language: the Chinese name, or its English gloss. */
export const nameIn = (lang: Lang, item: { name: string; nameEn: string }) => (lang === 'en' ? item.nameEn || item.name : item.name);
