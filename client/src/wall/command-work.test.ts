import { describe, expect, it } from 'vitest';
import { taskState, taskTotals, withoutOrdinal } from './command-work.ts';

const task = (status: 'OPEN' | 'IN_PROGRESS' | 'DONE', overdue: boolean) => ({ title: 't', titleEn: null, owner: 'o', ownerEn: 'o', dueAt: null, status, overdue });

describe('command work on the wall', () => {
  it('says done, overdue or open', () => {
    expect(taskState(task('DONE', false))).toBe('done');
    expect(taskState(task('OPEN', true))).toBe('overdue');
    expect(taskState(task('IN_PROGRESS', true))).toBe('overdue');
    expect(taskState(task('IN_PROGRESS', false))).toBe('open');
    expect(taskState(task('OPEN', false))).toBe('open');
  });

  it("counts the meeting's tasks across its directives", () => {
    const directive = (tasks: ReturnType<typeof task>[]) => ({ ordinal: 1, text: '', textEn: '', tasks });
    const meeting = { title: '', titleEn: '', heldAt: '', directives: [directive([task('DONE', false), task('OPEN', true)]), directive([task('OPEN', false)])] };
    expect(taskTotals({ meeting })).toEqual({ total: 3, done: 1, overdue: 1 });
    expect(taskTotals({ meeting: null })).toEqual({ total: 0, done: 0, overdue: 0 });
  });
});

describe('a directive’s number', () => {
  it('is shown once, whether the text opens with it or not', () => {
    expect(withoutOrdinal('一要准确理解把握', '一要')).toBe('准确理解把握');
    expect(withoutOrdinal('提高政治站位', '一要')).toBe('提高政治站位');
    expect(withoutOrdinal('二要保障供应', '一要')).toBe('二要保障供应');
  });
});
