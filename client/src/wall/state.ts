import type { ResultOf } from '../graphql/graphql.ts';
import { localDate, wallClock } from '@fangkong/zone';
import { isNotOlder, NO_SEQ, parseSeq } from '../live/seq.ts';
import type {
  CheckpointCountsSubscription,
  HourlySeriesQuery,
  ProductionOutputSubscription,
  StockLevelsSubscription,
  ZoneSummarySubscription,
} from './operations.ts';

// The wall display's state: one value per subscription key, each tagged with the outbox position it
// reflects. Bounded by construction: maps are keyed by checkpoint and line ids (a fixed, small set),
// the series has at most 25 buckets per day, and nothing is appended over time.

/** A type with no null figure: in LIVE figures (the subscription's, the wall's) only APPROVED ones may be null. */
type Live<T> = T extends readonly (infer U)[] ? Live<U>[] : T extends object ? { [K in keyof T]: Live<NonNullable<T[K]>> } : T;
export type ZoneValue = Live<ResultOf<typeof ZoneSummarySubscription>['zoneSummary']>;

/**
 * The subscription's summary as the wall keeps it. The subscription is always LIVE, where every
 * figure is present; a summary missing one (APPROVED figures can) is not shown: null.
 */
export function liveZone(value: ResultOf<typeof ZoneSummarySubscription>['zoneSummary']): ZoneValue | null {
  const masks = value.production.masks;
  if (!value.checkpointTotals || value.peopleUnderIsolation === null || value.simulatedIsolationCases === null || !value.isolation) return null;
  if (!masks || masks.linesProducing === null || masks.simulatedReports === null) return null;
  return value as ZoneValue;
}
export type CheckpointValue = ResultOf<typeof CheckpointCountsSubscription>['checkpointCounts'];
export type LineValue = ResultOf<typeof ProductionOutputSubscription>['productionOutput'];
export type StockValue = ResultOf<typeof StockLevelsSubscription>['stockLevels'];
export type SeriesValue = ResultOf<typeof HourlySeriesQuery>;

export interface Versioned<T> {
  value: T;
  seq: bigint;
}

/** A checkpoint's value, with the one before it: shown while the headline has not caught up (see rankCheckpoints). */
export interface CheckpointEntry extends Versioned<CheckpointValue> {
  previous: Versioned<CheckpointValue> | null;
  /** When it arrived (this browser's clock). */
  receivedAtMs: number;
}

export interface HourlySeries {
  /** The reporting day the series belongs to (ZoneSummary.day). */
  day: string;
  /** People screened per local hour 0–23; null for hours not yet begun. */
  today: (number | null)[];
  /** The hour still running, when it has figures: partial, drawn as such (not as a collapse). */
  runningHour: number | null;
  yesterday: number[];
  feverToday: (number | null)[];
  simulated: boolean;
  /** When the series was asked for (server time, ISO): its figures are as of then. */
  asOf?: string | null;
  /** Yesterday's checkpoint figures up to the local time of the headline's asOf, and its isolation at day's end. */
  yesterdayAtSameTime?: { vehiclesInspected: number; peopleScreened: number; feverCases: number; referred: number; peopleUnderIsolation: number } | null;
  /** People screened and fever cases per local day since the response's first day (today's still running). */
  daily?: SeriesValue['daily'];
  /** The headline asOf the comparison was cut at: it holds only while the headline is that one. */
  comparedAsOf?: string | null;
}

export interface WallState {
  zone: Versioned<ZoneValue> | null;
  checkpoints: ReadonlyMap<string, CheckpointEntry>;
  lines: ReadonlyMap<string, Versioned<LineValue>>;
  stock: Versioned<StockValue> | null;
  series: HourlySeries | null;
}

export const initialWallState: WallState = {
  zone: null,
  checkpoints: new Map(),
  lines: new Map(),
  stock: null,
  series: null,
};

export type WallAction =
  | { type: 'zone'; value: ZoneValue }
  | { type: 'checkpoint'; value: CheckpointValue; receivedAtMs?: number }
  | { type: 'line'; value: LineValue }
  | { type: 'stock'; value: StockValue }
  | { type: 'series'; day: string; timeZone: string; value: SeriesValue; nowMs: number; asOf?: string; comparedAsOf?: string };

/** Applies one update; returns the same state object when the update is older than what is shown. */
export function wallReducer(state: WallState, action: WallAction): WallState {
  switch (action.type) {
    case 'zone': {
      const seq = parseSeq(action.value.asOfSeq);
      if (!isNotOlder(state.zone?.seq ?? NO_SEQ, seq)) return state;
      return { ...state, zone: { value: action.value, seq } };
    }
    case 'checkpoint': {
      const id = action.value.checkpoint.id;
      const seq = parseSeq(action.value.asOfSeq);
      const current = state.checkpoints.get(id);
      if (!isNotOlder(current?.seq ?? NO_SEQ, seq)) return state;
      const next = new Map(state.checkpoints);
      const previous = current ? { value: current.value, seq: current.seq } : null;
      next.set(id, { value: action.value, seq, previous, receivedAtMs: action.receivedAtMs ?? 0 });
      return { ...state, checkpoints: next };
    }
    case 'line': {
      const id = action.value.line.id;
      const next = upsert(state.lines, id, action.value);
      return next === state.lines ? state : { ...state, lines: next };
    }
    case 'stock': {
      const seq = parseSeq(action.value.asOfSeq);
      if (!isNotOlder(state.stock?.seq ?? NO_SEQ, seq)) return state;
      return { ...state, stock: { value: action.value, seq } };
    }
    case 'series': {
      // A response for a day the display has left is dropped.
      if (state.zone && state.zone.value.day !== action.day) return state;
      return { ...state, series: { ...toHourlySeries(action.day, action.timeZone, action.value, action.nowMs), asOf: action.asOf ?? null, daily: action.value.daily, ...yesterdayAtSameTime(action.value, action.comparedAsOf) } };
    }
  }
}

function upsert<T extends { asOfSeq: string }>(map: ReadonlyMap<string, Versioned<T>>, id: string, value: T): ReadonlyMap<string, Versioned<T>> {
  const seq = parseSeq(value.asOfSeq);
  if (!isNotOlder(map.get(id)?.seq ?? NO_SEQ, seq)) return map;
  const next = new Map(map);
  next.set(id, { value, seq });
  return next;
}

export function toHourlySeries(day: string, timeZone: string, value: SeriesValue, nowMs: number): HourlySeries {
  const today: (number | null)[] = Array.from({ length: 24 }, () => null);
  const feverToday: (number | null)[] = Array.from({ length: 24 }, () => null);
  const yesterday: number[] = Array.from({ length: 24 }, () => 0);
  let simulated = false;
  let runningHour: number | null = null;
  for (const point of value.today) {
    const startMs = Date.parse(point.start);
    if (startMs > nowMs) continue; // hours that have not begun stay empty rather than zero
    // Reports for the running hour arrive at its end: an empty running hour is "not yet", not zero.
    if (startMs + 3_600_000 > nowMs && point.counts.peopleScreened === 0 && point.counts.feverCases === 0) continue;
    const hour = wallClock(startMs, timeZone).hour;
    // On a day with an offset change two buckets can share an hour: add them.
    today[hour] = (today[hour] ?? 0) + point.counts.peopleScreened;
    feverToday[hour] = (feverToday[hour] ?? 0) + point.counts.feverCases;
    simulated ||= point.counts.simulatedReports > 0;
    if (startMs + 3_600_000 > nowMs) runningHour = hour;
  }
  for (const point of value.yesterday) {
    const hour = wallClock(Date.parse(point.start), timeZone).hour;
    yesterday[hour] = (yesterday[hour] ?? 0) + point.counts.peopleScreened;
    simulated ||= point.counts.simulatedReports > 0;
  }
  return { day, today, runningHour, yesterday, feverToday, simulated };
}

function yesterdayAtSameTime(value: SeriesValue, comparedAsOf: string | undefined): Pick<HourlySeries, 'yesterdayAtSameTime' | 'comparedAsOf'> {
  const isolatedYesterday = value.yesterdaySummary?.peopleUnderIsolation ?? null;
  if (!value.yesterdaySoFar || isolatedYesterday === null || !comparedAsOf) return { yesterdayAtSameTime: null, comparedAsOf: null };
  const sum = { vehiclesInspected: 0, peopleScreened: 0, feverCases: 0, referred: 0 };
  for (const { counts } of value.yesterdaySoFar) for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += counts[key];
  return { yesterdayAtSameTime: { ...sum, peopleUnderIsolation: isolatedYesterday }, comparedAsOf };
}

// ---------------------------------------------------------------------------------------------
// Selectors

/** The latest of several values' `asOf` (a panel built from many live values is as of the newest), or null. */
export function latestAsOf(values: Iterable<{ value: { asOf: string } }>): string | null {
  let latest: string | null = null;
  let latestMs = Number.NEGATIVE_INFINITY;
  for (const { value } of values) {
    const ms = Date.parse(value.asOf);
    if (ms > latestMs) [latest, latestMs] = [value.asOf, ms];
  }
  return latest;
}

export interface Totals {
  vehiclesInspected: number;
  peopleScreened: number;
  feverCases: number;
  referred: number;
  peopleUnderIsolation: number;
  /** Of the people screened, those with recent travel to or from Hubei (涉鄂人员). */
  hubeiLinked: number;
  /** Disinfections done at the checkpoints (消杀). */
  disinfections: number;
  /** Home isolations begun and ended today (counts only). */
  isolationStarted: number;
  isolationEnded: number;
}

export function totalsOf(state: WallState): Totals | null {
  const zone = state.zone?.value;
  if (!zone) return null;
  const t = zone.checkpointTotals;
  return {
    vehiclesInspected: t.vehiclesInspected,
    peopleScreened: t.peopleScreened,
    feverCases: t.feverCases,
    referred: t.referred,
    peopleUnderIsolation: zone.peopleUnderIsolation,
    hubeiLinked: t.hubeiLinked,
    disinfections: t.disinfections,
    isolationStarted: zone.isolation.startedOnDay,
    isolationEnded: zone.isolation.endedOnDay,
  };
}

export type CommunityIsolation = ZoneValue['isolation']['byCommunity'][number];

/** Isolation per community, the most people under isolation first (counts only). */
export function isolationByCommunity(state: WallState): CommunityIsolation[] | null {
  const rows = state.zone?.value.isolation.byCommunity;
  return rows ? [...rows].sort((a, b) => b.underIsolation - a.underIsolation || a.community.name.localeCompare(b.community.name, 'zh-CN')) : null;
}

export type ChangeKey = 'vehiclesInspected' | 'peopleScreened' | 'feverCases' | 'referred' | 'peopleUnderIsolation';
export interface Change {
  /** Today's figure minus yesterday's. */
  change: number;
  /**
   * What it is compared with: the flows (vehicles, people, fever, referred) with yesterday's reports
   * whose period began before the same local time as the headline's asOf, a day still running against
   * the same stretch of the day before; people under isolation, a level, with yesterday's end.
   */
  base: 'sameTime' | 'endOfDay';
}

/** Each headline figure against yesterday; null while the comparison is not of the figures shown. */
export function changesOf(state: WallState): Record<ChangeKey, Change> | null {
  const totals = totalsOf(state);
  const series = state.series;
  const y = series?.yesterdayAtSameTime;
  if (!totals || !y || !state.zone || series.comparedAsOf !== state.zone.value.asOf) return null;
  const flow = (key: Exclude<ChangeKey, 'peopleUnderIsolation'>): Change => ({ change: totals[key] - y[key], base: 'sameTime' });
  return {
    vehiclesInspected: flow('vehiclesInspected'),
    peopleScreened: flow('peopleScreened'),
    feverCases: flow('feverCases'),
    referred: flow('referred'),
    peopleUnderIsolation: { change: totals.peopleUnderIsolation - y.peopleUnderIsolation, base: 'endOfDay' },
  };
}

/** Whether anything on screen includes simulated reports: then the "simulated" label shows. */
export function includesSimulated(state: WallState): boolean {
  const zone = state.zone?.value;
  if (zone && (zone.checkpointTotals.simulatedReports > 0 || zone.simulatedIsolationCases > 0 || zone.production.masks.simulatedReports > 0)) return true;
  for (const { value } of state.checkpoints.values()) if (value.today.simulatedReports > 0) return true;
  // A line's output is live here: its report counts are never null (only APPROVED figures leave them out).
  for (const { value } of state.lines.values()) if ((value.today.simulatedReports ?? 0) > 0) return true;
  return state.series?.simulated ?? false;
}

export interface RankedCheckpoint {
  id: string;
  name: string;
  nameEn: string;
  kind: string;
  peopleScreened: number;
  feverCases: number;
  vehiclesInspected: number;
  lastReportAt: string | null;
  stale: boolean;
  simulated: boolean;
  /**
   * Its figures are of another day than the headline's (around midnight each value rolls over on
   * its own): shown as not yet known, never as the new day's.
   */
  otherDay: boolean;
}

/**
 * An active checkpoint is stale when nothing was reported within its expected interval (or ever),
 * the rule the server applies to Checkpoint.isStale; evaluated here against the server's clock so
 * the badge appears on time between updates.
 */
export function isCheckpointStale(value: CheckpointValue, serverNowMs: number): boolean {
  if (value.checkpoint.status !== 'ACTIVE') return false;
  if (!value.lastReportAt) return true;
  return serverNowMs - Date.parse(value.lastReportAt) > value.checkpoint.reportIntervalMinutes * 60_000;
}

/** How long a checkpoint's newer figures wait for the headline to catch up before they show anyway. */
export const HOLD_FOR_HEADLINE_MS = 5000;

/**
 * The version of a checkpoint to show beside the headline: the headline (zone summary) and each
 * checkpoint arrive on their own subscriptions, so a report reaches its row a moment before the
 * total; for that moment the row would show more than the total includes. A row newer than the
 * headline shows its previous figures until the headline reaches its position (or, should the
 * headline not come, for at most HOLD_FOR_HEADLINE_MS).
 */
export function shownCheckpoint(entry: CheckpointEntry, zoneSeq: bigint | null, nowMs: number): Versioned<CheckpointValue> {
  if (zoneSeq === null || entry.seq <= zoneSeq || !entry.previous) return entry;
  if (nowMs - entry.receivedAtMs > HOLD_FOR_HEADLINE_MS) return entry;
  return entry.previous;
}

/** Whether some row is held back for the headline (the screen then looks again shortly). */
export function rowsHeld(state: WallState, nowMs: number): boolean {
  const zoneSeq = state.zone?.seq ?? null;
  for (const entry of state.checkpoints.values()) if (shownCheckpoint(entry, zoneSeq, nowMs) !== entry) return true;
  return false;
}

/**
 * Checkpoints by people screened today, most first; ties by name so the order is stable.
 * `nowMs` is this browser's clock (for rows held for the headline); `serverNowMs` the server's.
 */
export function rankCheckpoints(state: WallState, serverNowMs: number, nowMs = Number.POSITIVE_INFINITY): RankedCheckpoint[] {
  const zoneSeq = state.zone?.seq ?? null;
  const zone = state.zone?.value;
  return [...state.checkpoints.values()]
    .map((entry) => shownCheckpoint(entry, zoneSeq, nowMs))
    .filter(({ value }) => value.checkpoint.status === 'ACTIVE' || value.today.reports > 0)
    .map(({ value }) => ({
      id: value.checkpoint.id,
      name: value.checkpoint.name,
      nameEn: value.checkpoint.nameEn,
      kind: value.checkpoint.kind,
      peopleScreened: value.today.peopleScreened,
      feverCases: value.today.feverCases,
      vehiclesInspected: value.today.vehiclesInspected,
      lastReportAt: value.lastReportAt ?? null,
      stale: isCheckpointStale(value, serverNowMs),
      simulated: value.today.simulatedReports > 0,
      otherDay: zone !== undefined && localDate(Date.parse(value.asOf), zone.timeZone) !== zone.day,
    }))
    .sort((a, b) => Number(a.otherDay) - Number(b.otherDay) || b.peopleScreened - a.peopleScreened || a.name.localeCompare(b.name, 'zh-CN'));
}

/**
 * The API gives lines no last-report time (Checkpoint has lastReportAt; ProductionLine does not, and
 * individual reports need a records scope a display token lacks), so a producing line counts as
 * stale when it has reported nothing today once this much of the day has passed.
 */
export const LINE_GRACE_MS = 3_600_000;

export interface MaskLine {
  id: string;
  name: string;
  nameEn: string;
  enterpriseId: string;
  status: string;
  produced: number;
  passedQc: number;
  capacity: number;
  reports: number;
  stale: boolean;
  simulated: boolean;
  /** Its figures are of another day than the headline's (see RankedCheckpoint.otherDay); not counted. */
  otherDay: boolean;
}

export interface MaskEnterprise {
  id: string;
  name: string;
  nameEn: string;
  produced: number;
  passedQc: number;
  /** Rated daily capacity of its lines expected to produce (LINE_STATUSES_EXPECTED). */
  capacity: number;
  lines: MaskLine[];
}

/**
 * The lines whose rated capacity counts as the day's capacity: those commissioned for production,
 * whether producing now or stopped (idle, halted). A stopped line's capacity is lost output, not
 * less capacity, so a stop shows as the share falling behind rather than the ring jumping up (the
 * server's ratedCapacity counts only lines producing). Lines still installing or commissioning are
 * not expected to produce yet.
 */
export const LINE_STATUSES_EXPECTED: ReadonlySet<string> = new Set(['PRODUCING', 'IDLE', 'HALTED']);

export interface MaskCapacity {
  /** Rated daily capacity of the mask lines expected to produce. */
  capacity: number;
  expectedLines: number;
  producingLines: number;
}

/** The day's mask capacity for the ring and the enterprise cards alike. */
export function maskCapacity(state: WallState): MaskCapacity {
  let capacity = 0;
  let expectedLines = 0;
  let producingLines = 0;
  for (const { value } of state.lines.values()) {
    if (value.line.product.category !== 'MASK' || !LINE_STATUSES_EXPECTED.has(value.status)) continue;
    capacity += value.ratedDailyCapacity;
    expectedLines++;
    if (value.status === 'PRODUCING') producingLines++;
  }
  return { capacity, expectedLines, producingLines };
}

/** Mask lines grouped by enterprise, each against its rated daily capacity. */
export function maskProduction(state: WallState, serverNowMs: number): MaskEnterprise[] {
  const byEnterprise = new Map<string, MaskEnterprise>();
  const dayStartMs = state.zone ? Date.parse(state.zone.value.dayStart) : serverNowMs;
  const zone = state.zone?.value;
  for (const { value } of state.lines.values()) {
    if (value.line.product.category !== 'MASK') continue;
    const line: MaskLine = {
      id: value.line.id,
      name: value.line.name,
      nameEn: value.line.nameEn,
      enterpriseId: value.line.enterprise.id,
      status: value.status,
      produced: value.today.produced,
      passedQc: value.today.passedQc,
      capacity: value.ratedDailyCapacity,
      // Live output: its report counts are never null (only APPROVED figures leave them out).
      reports: value.today.reports ?? 0,
      stale: value.status === 'PRODUCING' && value.today.reports === 0 && serverNowMs - dayStartMs > LINE_GRACE_MS,
      simulated: (value.today.simulatedReports ?? 0) > 0,
      otherDay: zone !== undefined && localDate(Date.parse(value.asOf), zone.timeZone) !== zone.day,
    };
    let enterprise = byEnterprise.get(line.enterpriseId);
    if (!enterprise) {
      enterprise = { id: line.enterpriseId, name: value.line.enterprise.name, nameEn: value.line.enterprise.nameEn, produced: 0, passedQc: 0, capacity: 0, lines: [] };
      byEnterprise.set(line.enterpriseId, enterprise);
    }
    if (!line.otherDay) {
      enterprise.produced += line.produced;
      enterprise.passedQc += line.passedQc;
    }
    if (LINE_STATUSES_EXPECTED.has(line.status)) enterprise.capacity += line.capacity;
    enterprise.lines.push(line);
  }
  const enterprises = [...byEnterprise.values()];
  for (const e of enterprises) e.lines.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  return enterprises.sort((a, b) => b.capacity - a.capacity || a.name.localeCompare(b.name, 'zh-CN'));
}

export type MaskTotals = ZoneValue['production']['masks'];

export function maskTotals(state: WallState): MaskTotals | null {
  return state.zone?.value.production.masks ?? null;
}

export interface StockItem {
  id: string;
  name: string;
  nameEn: string;
  unit: string;
  unitEn: string;
  category: string;
  stock: number;
  produced: number;
  allocated: number;
  /** The product's safety level (安全库存); 0: none kept. */
  safetyLevel: number;
  /** out: nothing left; low: below the safety level (the server's test, as the stock-low alert rule's); ok otherwise. */
  level: 'out' | 'low' | 'ok';
  /** Today: in (produced in the zone), out to the city, out within the zone. */
  today: { produced: number; toCity: number; toZone: number };
}

export function stockItems(state: WallState): StockItem[] {
  const stock = state.stock?.value.stock ?? [];
  return stock
    .map((s) => ({
      ...s.product,
      stock: s.stock,
      produced: s.produced,
      allocated: s.allocated,
      safetyLevel: s.safetyLevel,
      level: s.stock <= 0 ? ('out' as const) : s.belowSafetyLevel ? ('low' as const) : ('ok' as const),
      today: s.day,
    }))
    .sort((a, b) => b.stock - a.stock || a.name.localeCompare(b.name, 'zh-CN'));
}

/**
 * How far the server's clock is ahead of this browser's (demo servers run a 2020 clock). A value's
 * `asOf` is never later than the server's "now" when it arrives (shared live values can be up to a
 * minute old), so a larger sample is a better one; a much smaller one means the server's clock was
 * set back (a restarted demo) and is taken as it is.
 */
export function nextClockOffset(current: number | null, asOfMs: number, receivedAtMs: number): number {
  const sample = asOfMs - receivedAtMs;
  if (current === null || sample > current || sample < current - 5 * 60_000) return sample;
  return current;
}
