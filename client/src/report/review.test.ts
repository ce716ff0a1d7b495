import { describe, expect, it } from 'vitest';
import { COUNT_FIELDS } from './draft.ts';
import { lastReported, type RecentReport, reportsOfToday, reviewFigures } from './review.ts';

const TZ = 'Asia/Shanghai';
const hour = (h: number) => new Date(Date.UTC(2020, 1, 7, h - 8)).toISOString(); // 2020-02-07 h:00 in Shanghai
const figures = (people: number, rest = 1) => ({ vehiclesInspected: rest, peopleScreened: people, feverCases: rest, hubeiLinked: rest, referred: rest, disinfections: rest });
const recent: RecentReport[] = [7, 8, 9].map((h, i) => ({ id: `r${h}`, periodStart: hour(h), periodEnd: hour(h + 1), figures: figures(100 + i) }));

describe('reviewFigures', () => {
  it('flags each figure at zero, unless the operator said there is nothing to report', () => {
    const zeros = { ...figures(50), feverCases: 0, referred: 0 };
    const p = { periodStart: hour(10), periodEnd: hour(11) };
    expect(reviewFigures(COUNT_FIELDS, zeros, p, recent)).toEqual([
      { kind: 'zero', field: 'feverCases' },
      { kind: 'zero', field: 'referred' },
    ]);
    expect(reviewFigures(COUNT_FIELDS, figures(0, 0), p, recent, { nothingToReport: true })).toEqual([]);
  });

  it('flags a figure over three times the hourly high of recent reports, per hour of its own period', () => {
    const p = { periodStart: hour(10), periodEnd: hour(11) };
    expect(reviewFigures(COUNT_FIELDS, figures(306), p, recent)).toEqual([]);
    expect(reviewFigures(COUNT_FIELDS, figures(307), p, recent)).toEqual([{ kind: 'unusual', field: 'peopleScreened', value: 307, usual: 102 }]);
    // 600 over two hours is 300 an hour: usual enough.
    expect(reviewFigures(COUNT_FIELDS, figures(600), { periodStart: hour(10), periodEnd: hour(12) }, recent)).toEqual([]);
  });

  it('does not call anything unusual without enough history, below the floor, or against the report being corrected', () => {
    const p = { periodStart: hour(10), periodEnd: hour(11) };
    expect(reviewFigures(COUNT_FIELDS, figures(5000), p, recent.slice(0, 2))).toEqual([]);
    expect(reviewFigures(COUNT_FIELDS, { ...figures(100), feverCases: 9 }, p, recent)).toEqual([]);
    const withHuge = [...recent, { id: 'big', periodStart: hour(9), periodEnd: hour(10), figures: figures(5000) }];
    expect(reviewFigures(COUNT_FIELDS, figures(5000), p, withHuge)).toEqual([]);
    expect(reviewFigures(COUNT_FIELDS, figures(5000), p, withHuge, { exclude: 'big' })).toEqual([{ kind: 'unusual', field: 'peopleScreened', value: 5000, usual: 102 }]);
  });
});

describe('reportsOfToday and lastReported', () => {
  it("keeps the reports starting on the zone's local day of now, newest first", () => {
    const rows = [
      { id: 'a', periodStart: '2020-02-06T15:59:00.000Z', periodEnd: '2020-02-06T16:00:00.000Z' }, // 23:59 on the 6th, local
      { id: 'b', periodStart: '2020-02-06T16:00:00.000Z', periodEnd: '2020-02-06T17:00:00.000Z' }, // 00:00 on the 7th
      { id: 'c', periodStart: '2020-02-07T01:00:00.000Z', periodEnd: '2020-02-07T02:00:00.000Z' },
    ];
    const now = Date.parse('2020-02-07T03:00:00.000Z'); // 11:00 on the 7th
    expect(reportsOfToday(rows, now, TZ).map((r) => r.id)).toEqual(['c', 'b']);
    expect(lastReported(rows)?.id).toBe('c');
    expect(lastReported([])).toBeNull();
  });
});
