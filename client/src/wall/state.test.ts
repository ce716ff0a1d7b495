import { describe, expect, it } from 'vitest';
import {
  changesOf,
  includesSimulated,
  initialWallState,
  isCheckpointStale,
  HOLD_FOR_HEADLINE_MS,
  maskCapacity,
  maskProduction,
  rankCheckpoints,
  rowsHeld,
  toHourlySeries,
  totalsOf,
  wallReducer,
  nextClockOffset,
  type CheckpointValue,
  type LineValue,
  type SeriesValue,
  type WallAction,
  type WallState,
  type ZoneValue,
} from './state.ts';

const zone = (seq: string, peopleScreened: number, extra: Partial<ZoneValue> = {}): ZoneValue => ({
  day: '2020-02-07',
  dayStart: '2020-02-06T16:00:00.000Z',
  dayEnd: '2020-02-07T16:00:00.000Z',
  timeZone: 'Asia/Shanghai',
  asOf: '2020-02-07T02:00:00.000Z',
  asOfSeq: seq,
  checkpointTotals: { vehiclesInspected: 10, peopleScreened, feverCases: 1, hubeiLinked: 0, disinfections: 0, referred: 2, reports: 3, simulatedReports: 0 },
  peopleUnderIsolation: 4,
  simulatedIsolationCases: 0,
  isolation: { startedOnDay: 1, endedOnDay: 2, byCommunity: [] },
  production: { masks: { produced: 0, passedQc: 0, ratedCapacity: 0, linesProducing: 0, simulatedReports: 0 } },
  ...extra,
});

const checkpoint = (id: string, seq: string, peopleScreened: number, extra: Partial<CheckpointValue> = {}): CheckpointValue => ({
  asOf: '2020-02-07T02:00:00.000Z',
  asOfSeq: seq,
  lastReportAt: '2020-02-07T01:00:00.000Z',
  checkpoint: { id, slug: id, name: id, nameEn: id, kind: 'ROAD', status: 'ACTIVE', reportIntervalMinutes: 60, area: { slug: 'shifanqu' } },
  today: { vehiclesInspected: 0, peopleScreened, feverCases: 0, reports: 1, simulatedReports: 0 },
  ...extra,
});

const line = (id: string, enterprise: string, produced: number, capacity: number, extra: Partial<LineValue> = {}): LineValue => ({
  asOf: '2020-02-07T02:00:00.000Z',
  asOfSeq: '1',
  status: 'PRODUCING',
  ratedDailyCapacity: capacity,
  utilization: null,
  line: {
    id,
    name: id,
    nameEn: id,
    product: { id: 'medical-mask', name: '医用口罩', nameEn: 'Medical mask', category: 'MASK' },
    enterprise: { id: enterprise, name: enterprise, nameEn: enterprise },
  },
  today: { produced, passedQc: produced, reports: 1, simulatedReports: 0 },
  ...extra,
});

const apply = (actions: WallAction[], from: WallState = initialWallState) => actions.reduce(wallReducer, from);

describe('zone totals and asOfSeq', () => {
  it('shows the newest snapshot and ignores an update older than what is shown', () => {
    const state = apply([
      { type: 'zone', value: zone('10', 100) },
      { type: 'zone', value: zone('12', 150) },
      { type: 'zone', value: zone('11', 120) }, // late delivery of an older value
    ]);
    expect(totalsOf(state)?.peopleScreened).toBe(150);
    expect(state.zone?.seq).toBe(12n);
  });

  it('returns the very same state for an ignored update, so nothing re-renders', () => {
    const state = apply([{ type: 'zone', value: zone('12', 150) }]);
    expect(wallReducer(state, { type: 'zone', value: zone('3', 1) })).toBe(state);
  });

  it('takes a snapshot at the same position after a reconnect, and the day rollover at the same position', () => {
    const before = apply([{ type: 'zone', value: zone('12', 150) }]);
    const rolled = wallReducer(before, { type: 'zone', value: zone('12', 0, { day: '2020-02-08' }) });
    expect(rolled.zone?.value.day).toBe('2020-02-08');
    expect(totalsOf(rolled)?.peopleScreened).toBe(0);
  });

  it('converges on the snapshot after a reconnect whatever updates were missed', () => {
    // Shown: seq 12. While cut off, reports 13–20 happened. After reconnecting the snapshot at 20
    // arrives, then a stale update (13) still in flight from the old connection.
    const state = apply([
      { type: 'zone', value: zone('12', 150) },
      { type: 'zone', value: zone('20', 400) },
      { type: 'zone', value: zone('13', 170) },
    ]);
    expect(totalsOf(state)?.peopleScreened).toBe(400);
  });
});

describe('checkpoints', () => {
  it('keeps one entry per checkpoint, each with its own position', () => {
    let state = apply([
      { type: 'checkpoint', value: checkpoint('a', '5', 10) },
      { type: 'checkpoint', value: checkpoint('b', '3', 30) },
      { type: 'checkpoint', value: checkpoint('a', '4', 999) }, // older for a: ignored
      { type: 'checkpoint', value: checkpoint('b', '6', 35) },
    ]);
    for (let i = 0; i < 1000; i++) state = wallReducer(state, { type: 'checkpoint', value: checkpoint('a', String(10 + i), i) });
    expect(state.checkpoints.size).toBe(2); // bounded: nothing accumulates over days
    expect(state.checkpoints.get('a')?.value.today.peopleScreened).toBe(999);
    expect(state.checkpoints.get('b')?.value.today.peopleScreened).toBe(35);
  });

  it('ranks by people screened, ties by name', () => {
    const state = apply([
      { type: 'checkpoint', value: checkpoint('b', '1', 30) },
      { type: 'checkpoint', value: checkpoint('c', '1', 50) },
      { type: 'checkpoint', value: checkpoint('a', '1', 30) },
    ]);
    expect(rankCheckpoints(state, Date.parse('2020-02-07T01:30:00Z')).map((c) => c.id)).toEqual(['c', 'a', 'b']);
  });

  it('is stale past its reporting interval or when it never reported, like Checkpoint.isStale', () => {
    const now = Date.parse('2020-02-07T02:30:00Z');
    expect(isCheckpointStale(checkpoint('a', '1', 1, { lastReportAt: '2020-02-07T02:00:00.000Z' }), now)).toBe(false);
    expect(isCheckpointStale(checkpoint('a', '1', 1, { lastReportAt: '2020-02-07T01:00:00.000Z' }), now)).toBe(true);
    expect(isCheckpointStale(checkpoint('a', '1', 1, { lastReportAt: null }), now)).toBe(true);
    const closed = checkpoint('a', '1', 1, { lastReportAt: null });
    closed.checkpoint.status = 'CLOSED';
    expect(isCheckpointStale(closed, now)).toBe(false);
  });
});

describe('production and the simulated label', () => {
  it('groups mask lines by enterprise against capacity and leaves other products out', () => {
    const medicine = line('pharma-1', 'pharma', 500, 2000);
    medicine.line.product.category = 'MEDICINE';
    const state = apply([
      { type: 'zone', value: zone('1', 0) },
      { type: 'line', value: line('y1', 'yizhonghong', 100, 50_000) },
      { type: 'line', value: line('y2', 'yizhonghong', 300, 50_000) },
      { type: 'line', value: line('m1', 'mingren', 700, 80_000) },
      { type: 'line', value: medicine },
    ]);
    const enterprises = maskProduction(state, Date.parse('2020-02-07T02:00:00Z'));
    expect(enterprises.map((e) => [e.id, e.produced, e.capacity, e.lines.length])).toEqual([
      ['yizhonghong', 400, 100_000, 2],
      ['mingren', 700, 80_000, 1],
    ]);
  });

  it('flags a producing line that has reported nothing an hour into the day', () => {
    const silent = line('y1', 'yizhonghong', 0, 50_000);
    silent.today.reports = 0;
    const state = apply([
      { type: 'zone', value: zone('1', 0) },
      { type: 'line', value: silent },
    ]);
    expect(maskProduction(state, Date.parse('2020-02-06T16:30:00Z'))[0]!.lines[0]!.stale).toBe(false);
    expect(maskProduction(state, Date.parse('2020-02-06T17:30:00Z'))[0]!.lines[0]!.stale).toBe(true);
  });

  it('shows the simulated label whenever any figure includes simulated reports', () => {
    const real = apply([{ type: 'zone', value: zone('1', 10) }]);
    expect(includesSimulated(real)).toBe(false);
    const simulated = zone('2', 10);
    simulated.checkpointTotals.simulatedReports = 1;
    expect(includesSimulated(wallReducer(real, { type: 'zone', value: simulated }))).toBe(true);
    const simLine = line('y1', 'y', 1, 1);
    simLine.today.simulatedReports = 2;
    expect(includesSimulated(wallReducer(real, { type: 'line', value: simLine }))).toBe(true);
  });
});

describe('hourly series', () => {
  const series: SeriesValue = {
    today: Array.from({ length: 24 }, (_, h) => ({
      start: new Date(Date.parse('2020-02-06T16:00:00Z') + h * 3_600_000).toISOString(),
      counts: { peopleScreened: h * 10, feverCases: h === 8 ? 2 : 0, simulatedReports: 0 },
    })),
    yesterday: Array.from({ length: 24 }, (_, h) => ({
      start: new Date(Date.parse('2020-02-05T16:00:00Z') + h * 3_600_000).toISOString(),
      counts: { peopleScreened: 5, feverCases: 0, simulatedReports: 1 },
    })),
    daily: [], yesterdaySoFar: [],
    yesterdaySummary: { peopleUnderIsolation: 0 },
  };

  it('leaves the running hour empty until something is reported in it', () => {
    const value: SeriesValue = { today: series.today.map((p, h) => (h === 9 ? { ...p, counts: { ...p.counts, peopleScreened: 0 } } : p)), yesterday: [], daily: [], yesterdaySoFar: [], yesterdaySummary: { peopleUnderIsolation: 0 } };
    const state = apply([
      { type: 'zone', value: zone('1', 0) },
      { type: 'series', day: '2020-02-07', timeZone: 'Asia/Shanghai', value, nowMs: Date.parse('2020-02-07T01:30:00Z') }, // 09:30 local
    ]);
    expect(state.series?.today[8]).toBe(80);
    expect(state.series?.today[9]).toBeNull();
  });

  it('places buckets by local hour and leaves hours that have not begun empty', () => {
    const state = apply([
      { type: 'zone', value: zone('1', 0) },
      { type: 'series', day: '2020-02-07', timeZone: 'Asia/Shanghai', value: series, nowMs: Date.parse('2020-02-07T01:30:00Z') }, // 09:30 local
    ]);
    expect(state.series?.today.slice(0, 11)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, null]);
    expect(state.series?.feverToday[8]).toBe(2);
    expect(state.series?.yesterday).toHaveLength(24);
    expect(state.series?.simulated).toBe(true);
  });

  it('drops a series fetched for a day the display has left', () => {
    const state = apply([
      { type: 'zone', value: zone('1', 0, { day: '2020-02-08' }) },
      { type: 'series', day: '2020-02-07', timeZone: 'Asia/Shanghai', value: series, nowMs: 0 },
    ]);
    expect(state.series).toBeNull();
  });
});

describe('server clock', () => {
  it('follows a demo server clock and ignores transit wobble', () => {
    const first = nextClockOffset(null, Date.parse('2020-02-07T02:00:00Z'), Date.parse('2026-11-29T06:00:00Z'));
    expect(nextClockOffset(first, Date.parse('2020-02-07T02:00:00Z') - 300, Date.parse('2026-11-29T06:00:00Z'))).toBe(first);
    expect(nextClockOffset(0, 0, 10 * 60_000)).toBe(-10 * 60_000); // clock set back: taken
  });
});

describe('a headline that never reads less than its rows', () => {
  const at = (ms: number) => ({ receivedAtMs: ms });
  it('shows a row newer than the headline at its previous figures until the headline catches up', () => {
    let state = apply([
      { type: 'zone', value: zone('10', 100) },
      { type: 'checkpoint', value: checkpoint('yingbin', '10', 60), ...at(0) },
    ]);
    state = wallReducer(state, { type: 'checkpoint', value: checkpoint('yingbin', '12', 80), ...at(1000) });
    expect(rankCheckpoints(state, 0, 1500)[0]!.peopleScreened).toBe(60);
    expect(rowsHeld(state, 1500)).toBe(true);
    state = wallReducer(state, { type: 'zone', value: zone('12', 120) });
    expect(rankCheckpoints(state, 0, 1600)[0]!.peopleScreened).toBe(80);
    expect(rowsHeld(state, 1600)).toBe(false);
  });

  it('shows the newer row anyway once the headline is overdue', () => {
    let state = apply([
      { type: 'zone', value: zone('10', 100) },
      { type: 'checkpoint', value: checkpoint('yingbin', '10', 60), ...at(0) },
    ]);
    state = wallReducer(state, { type: 'checkpoint', value: checkpoint('yingbin', '12', 80), ...at(1000) });
    expect(rankCheckpoints(state, 0, 1000 + HOLD_FOR_HEADLINE_MS + 1)[0]!.peopleScreened).toBe(80);
  });

  it('shows a first value at once (nothing older to show)', () => {
    const state = apply([{ type: 'zone', value: zone('10', 100) }, { type: 'checkpoint', value: checkpoint('yingbin', '14', 60), ...at(0) }]);
    expect(rankCheckpoints(state, 0, 1)[0]!.peopleScreened).toBe(60);
  });
});

describe('mask capacity', () => {
  it('counts the lines expected to produce, stopped ones included, so a stop does not raise the share', () => {
    const producing = apply([
      { type: 'line', value: line('a1', 'a', 100, 1000) },
      { type: 'line', value: line('a2', 'a', 100, 1000) },
      { type: 'line', value: line('a3', 'a', 0, 500, { status: 'INSTALLING' }) },
    ]);
    expect(maskCapacity(producing)).toEqual({ capacity: 2000, expectedLines: 2, producingLines: 2 });
    const halted = wallReducer(producing, { type: 'line', value: line('a2', 'a', 100, 1000, { status: 'HALTED', asOfSeq: '2' }) });
    expect(maskCapacity(halted)).toEqual({ capacity: 2000, expectedLines: 2, producingLines: 1 });
    // The enterprise card counts the same lines as the ring.
    expect(maskProduction(halted, 0)[0]!.capacity).toBe(2000);
  });
});

describe('the running hour', () => {
  it('is marked partial when it has figures', () => {
    const nowMs = Date.parse('2020-02-07T02:30:00.000Z'); // 10:30 in Shanghai
    const value: SeriesValue = {
      daily: [], yesterdaySoFar: [],
      yesterdaySummary: { peopleUnderIsolation: 0 },
      today: [
        { start: '2020-02-07T01:00:00.000Z', counts: { peopleScreened: 300, feverCases: 0, simulatedReports: 0 } },
        { start: '2020-02-07T02:00:00.000Z', counts: { peopleScreened: 40, feverCases: 0, simulatedReports: 0 } },
      ],
      yesterday: [],
    };
    const series = toHourlySeries('2020-02-07', 'Asia/Shanghai', value, nowMs);
    expect(series.runningHour).toBe(10);
    expect(series.today[9]).toBe(300);
    expect(series.today[10]).toBe(40);
    expect(toHourlySeries('2020-02-07', 'Asia/Shanghai', value, nowMs + 3_600_000).runningHour).toBeNull();
  });
});

describe('rows around midnight', () => {
  it('shows a row whose figures are of another day than the headline as not yet known, last', () => {
    const state = apply([
      { type: 'zone', value: zone('10', 3) },
      // Read at 23:59 the evening before (Shanghai): yesterday's figures.
      { type: 'checkpoint', value: checkpoint('fengshou', '9', 1000, { asOf: '2020-02-06T15:59:00.000Z' }) },
      { type: 'checkpoint', value: checkpoint('yingbin', '10', 3) },
    ]);
    const ranked = rankCheckpoints(state, 0);
    expect(ranked.map((c) => [c.id, c.otherDay])).toEqual([
      ['yingbin', false],
      ['fengshou', true],
    ]);
  });
});

describe('lines around midnight', () => {
  it('leaves a line whose figures are of another day out of its enterprise’s output', () => {
    const state = apply([
      { type: 'zone', value: zone('10', 3) },
      { type: 'line', value: line('a1', 'a', 500, 1000, { asOf: '2020-02-06T15:59:00.000Z' }) },
      { type: 'line', value: line('a2', 'a', 20, 1000) },
    ]);
    const [enterprise] = maskProduction(state, 0);
    expect(enterprise!.produced).toBe(20);
    expect(enterprise!.lines.map((l) => l.otherDay)).toEqual([true, false]);
  });
});

describe('change against yesterday', () => {
  const value = (people: number): SeriesValue => ({
    today: [],
    yesterday: [],
    daily: [],
    yesterdaySoFar: [{ counts: { vehiclesInspected: 4, peopleScreened: people, feverCases: 3, referred: 1 } }],
    yesterdaySummary: { peopleUnderIsolation: 6 },
  });

  it('compares the flows with yesterday up to the same time, isolation with yesterday’s end, and only for the figures it was cut for', () => {
    const z = zone('5', 120);
    let state = apply([{ type: 'zone', value: z }]);
    expect(changesOf(state)).toBeNull();
    state = wallReducer(state, { type: 'series', day: z.day, timeZone: z.timeZone, value: value(100), nowMs: Date.parse(z.asOf), comparedAsOf: z.asOf });
    expect(changesOf(state)).toEqual({
      vehiclesInspected: { change: 6, base: 'sameTime' },
      peopleScreened: { change: 20, base: 'sameTime' },
      feverCases: { change: -2, base: 'sameTime' },
      referred: { change: 1, base: 'sameTime' },
      peopleUnderIsolation: { change: -2, base: 'endOfDay' },
    });
    // Newer figures: no change shown until yesterday is cut at their time.
    state = wallReducer(state, { type: 'zone', value: { ...zone('6', 130), asOf: '2020-02-07T02:05:00.000Z' } });
    expect(changesOf(state)).toBeNull();
  });
});
