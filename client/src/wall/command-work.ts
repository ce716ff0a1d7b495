// The command-work view's figures as the panel shows them: pure functions over the live value.
import type { ResultOf } from '../graphql/graphql.ts';
import type { CommandWorkSubscription } from './command-work-operations.ts';

export type CommandWork = ResultOf<typeof CommandWorkSubscription>['commandWork'];
export type CommandWorkTask = NonNullable<CommandWork['meeting']>['directives'][number]['tasks'][number];

/** What the wall says of a task: done, overdue (due time passed, not done), or open (assigned or in progress). */
export type TaskState = 'done' | 'overdue' | 'open';

export function taskState(task: Pick<CommandWorkTask, 'status' | 'overdue'>): TaskState {
  if (task.status === 'DONE') return 'done';
  return task.overdue ? 'overdue' : 'open';
}

/** The meeting's tasks counted: all, done, overdue. */
export function taskTotals(work: Pick<CommandWork, 'meeting'>): { total: number; done: number; overdue: number } {
  const totals = { total: 0, done: 0, overdue: 0 };
  for (const directive of work.meeting?.directives ?? []) {
    for (const task of directive.tasks) {
      totals.total++;
      const state = taskState(task);
      if (state === 'done') totals.done++;
      else if (state === 'overdue') totals.overdue++;
    }
  }
  return totals;
}

/**
 * A directive's text without the number it may open with (the seed's "一要…" texts carry it; the
 * panel shows the number apart, so a directive issued without one reads the same).
 */
export function withoutOrdinal(text: string, numbered: string): string {
  return text.startsWith(numbered) ? text.slice(numbered.length).trimStart() : text;
}
