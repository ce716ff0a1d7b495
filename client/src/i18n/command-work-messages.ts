// The wall's command-work view (zh by default, en with ?lang=en). Kept beside the wall's messages
// rather than in them: its own vocabulary, used by its own panel only.
import type { Lang } from './messages.ts';

const NUMERALS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

const zh = {
  view: '指挥工作',
  directives: (title: string) => `最近会议部署 · ${title}`,
  noMeeting: '暂无会议',
  /** 一要 … 十要; beyond ten the number itself. */
  directiveNumber: (ordinal: number) => `${NUMERALS[ordinal] ?? ordinal}要`,
  noTasks: '暂无分解任务',
  owner: '责任',
  due: (date: string) => `${date} 前`,
  noDue: '无时限',
  taskStatus: { done: '已完成', open: '推进中', overdue: '已逾期' },
  tasksFigure: (done: number, overdue: number, total: number) => `任务 ${total} 项 · 完成 ${done} · 逾期 ${overdue}`,
  findings: '督查问题整改 · 按责任单位',
  findingsOpen: '未整改',
  findingsRectified: '已整改',
  noFindings: '暂无督查问题',
  resumption: (days: number) => `复工复产申请 · 待审批（时限 ${days} 个工作日）`,
  noWaiting: '无待审批申请',
  waitingDays: (days: number) => `已等 ${days} 个工作日`,
  overTarget: '超时限',
  monthDayTime: (month: number, day: number, time: string) => `${month}月${day}日 ${time}`,
};

type Messages = typeof zh;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const en: Messages = {
  view: 'Command work',
  directives: (title) => `Latest meeting · ${title}`,
  noMeeting: 'No meeting yet',
  directiveNumber: (ordinal) => `${ordinal}.`,
  noTasks: 'No tasks assigned',
  owner: 'Owner',
  due: (date) => `due ${date}`,
  noDue: 'no due time',
  taskStatus: { done: 'Done', open: 'Open', overdue: 'Overdue' },
  tasksFigure: (done, overdue, total) => `${total} tasks · ${done} done · ${overdue} overdue`,
  findings: 'Inspection findings · by unit',
  findingsOpen: 'Open',
  findingsRectified: 'Rectified',
  noFindings: 'No findings',
  resumption: (days) => `Resumption applications waiting (target ${days} working days)`,
  noWaiting: 'No application waiting',
  waitingDays: (days) => `waiting ${days} working day${days === 1 ? '' : 's'}`,
  overTarget: 'over target',
  monthDayTime: (month, day, time) => `${day} ${MONTHS[month - 1]} ${time}`,
};

export const commandWorkMessages: Record<Lang, Messages> = { zh, en };
