/** Reporting days are Asia/Shanghai days (UTC+8, no daylight saving), as the server's default zone. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 24 * 3_600_000;

/** The local (Asia/Shanghai) date of an instant, `YYYY-MM-DD`. */
export const shanghaiDay = (instant: string | number): string => new Date(new Date(instant).getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

export interface TestClock {
  /** The instant to pass the server as `FANGKONG_CLOCK_START`. */
  start: string;
  /** "Now" on the server's clock: `start`, running on from when the clock was made. */
  now(): number;
}

/**
 * A clock pinned to a given local time of yesterday's Asia/Shanghai date, so that "today" and "the
 * last few hours" mean the same day whatever hour the suite runs at. Yesterday, so the pinned clock is
 * never ahead of the database's own NOW(). Make it just before starting the server: the server's clock
 * starts a moment later, so the test's "now" is never behind the server's by more than that moment.
 */
export function pinnedClock(localTime = '14:30'): TestClock {
  const yesterday = shanghaiDay(Date.now() - DAY_MS);
  const start = `${yesterday}T${localTime}:00+08:00`;
  const startMs = Date.parse(start);
  const madeAt = Date.now();
  return { start, now: () => startMs + (Date.now() - madeAt) };
}
