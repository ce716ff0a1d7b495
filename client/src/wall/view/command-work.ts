import { wallClock } from '@fangkong/zone';
import { formatClock, formatHourMinute } from '../../format/time.ts';
import { commandWorkMessages } from '../../i18n/command-work-messages.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setText } from '../../ui/dom.ts';
import { taskState, taskTotals, withoutOrdinal, type CommandWork } from '../command-work.ts';

/**
 * The command-work panel (the COMMAND_WORK view): the latest meeting's directives, numbered, each
 * with its tasks (owner, due time, done / open / overdue); inspection findings open and rectified
 * per unit; resumption applications waiting, their age against the target. Hidden on the other
 * views (screen.css). Drawn again on every value: they come only when the command work changes.
 */
export function createCommandWork(lang: Lang) {
  const t = commandWorkMessages[lang];
  const en = lang === 'en';
  const title = h('h2', { class: 'panel-title', 'data-testid': 'command-work-title', text: t.directives('') });
  const figure = h('span', { class: 'cw-figure', 'data-testid': 'command-work-figure' });
  const asOf = h('span', { class: 'cw-as-of' });
  const directives = h('ol', { class: 'cw-directives', 'data-testid': 'command-work-directives' });
  const findings = h('table', { class: 'cw-findings', 'data-testid': 'command-work-findings' });
  const waiting = h('ol', { class: 'cw-waiting', 'data-testid': 'command-work-waiting' });
  const waitingTitle = h('h2', { class: 'panel-title' });

  const el = h(
    'section',
    { class: 'panel-command-work', 'data-testid': 'command-work' },
    h('div', { class: 'panel cw-meeting' }, h('div', { class: 'cw-head' }, title, figure, asOf), directives),
    h(
      'div',
      { class: 'cw-side' },
      h('div', { class: 'panel cw-findings-panel' }, h('h2', { class: 'panel-title', text: t.findings }), findings),
      h('div', { class: 'panel cw-waiting-panel' }, waitingTitle, waiting),
    ),
  );

  const dueText = (iso: string | null, timeZone: string) => {
    if (!iso) return t.noDue;
    const ms = Date.parse(iso);
    const w = wallClock(ms, timeZone);
    return t.due(t.monthDayTime(w.month, w.day, formatHourMinute(ms, timeZone)));
  };

  return {
    el,
    update(work: CommandWork, timeZone: string) {
      const meeting = work.meeting;
      setText(title, meeting ? t.directives(en ? meeting.titleEn : meeting.title) : t.noMeeting);
      const totals = taskTotals(work);
      setText(figure, t.tasksFigure(totals.done, totals.overdue, totals.total));
      setText(asOf, wallMessages[lang].asOf(formatClock(Date.parse(work.asOf), timeZone)));

      directives.replaceChildren(
        ...(meeting?.directives ?? []).map((d) =>
          h(
            'li',
            { class: 'cw-directive', 'data-ordinal': d.ordinal },
            h('div', { class: 'cw-directive-head' }, h('span', { class: 'cw-number', text: t.directiveNumber(d.ordinal) }), h('span', { class: 'cw-text', text: withoutOrdinal(en ? d.textEn : d.text, t.directiveNumber(d.ordinal)) })),
            d.tasks.length
              ? h(
                  'ul',
                  { class: 'cw-tasks' },
                  ...d.tasks.map((task) => {
                    const state = taskState(task);
                    return h(
                      'li',
                      { class: `cw-task is-${state}`, 'data-state': state },
                      h('span', { class: 'cw-task-title', text: en ? task.titleEn || task.title : task.title }),
                      h('span', { class: 'cw-task-owner', text: `${t.owner} ${en ? task.ownerEn : task.owner}` }),
                      h('span', { class: 'cw-task-due', text: dueText(task.dueAt, timeZone) }),
                      h('span', { class: 'cw-task-status', text: t.taskStatus[state] }),
                    );
                  }),
                )
              : h('div', { class: 'cw-no-tasks', text: t.noTasks }),
          ),
        ),
      );

      findings.replaceChildren(
        h('tr', {}, h('th', {}), h('th', { text: t.findingsOpen }), h('th', { text: t.findingsRectified })),
        ...work.findingsByUnit.map((u) =>
          h(
            'tr',
            { class: u.open > 0 ? 'has-open' : '' },
            h('td', { class: 'cw-unit', text: en ? u.unitEn : u.unit }),
            h('td', { class: 'cw-open', text: String(u.open) }),
            h('td', { class: 'cw-rectified', text: String(u.rectified) }),
          ),
        ),
      );
      if (!work.findingsByUnit.length) findings.append(h('tr', {}, h('td', { class: 'panel-empty', colspan: 3, text: t.noFindings })));

      setText(waitingTitle, t.resumption(work.resumption.targetWorkingDays));
      waiting.replaceChildren(
        ...work.resumption.waiting.map((a) =>
          h(
            'li',
            { class: `cw-application${a.overTarget ? ' is-over' : ''}` },
            h('span', { class: 'cw-enterprise', text: en ? a.enterpriseNameEn : a.enterpriseName }),
            h('span', { class: 'cw-age', text: `${t.waitingDays(a.workingDaysWaiting)}${a.overTarget ? ` · ${t.overTarget}` : ''}` }),
          ),
        ),
      );
      if (!work.resumption.waiting.length) waiting.append(h('li', { class: 'panel-empty', text: t.noWaiting }));
    },
  };
}
