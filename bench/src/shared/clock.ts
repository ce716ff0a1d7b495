// Demo clocks for benchmark servers (FANGKONG_CLOCK_START), so that "today" holds what a bench
// reports whatever the hour it runs at.

/**
 * `HH:MM` of yesterday in Asia/Shanghai (UTC+8, no daylight saving), the zone's reporting day, as an
 * ISO instant: always in the past (at least an hour), so no server's clock is ahead of the database's NOW().
 */
export function yesterdayInShanghaiAt(localTime: string): string {
  const yesterday = new Date(Date.now() + 8 * 3_600_000 - 24 * 3_600_000).toISOString().slice(0, 10);
  return `${yesterday}T${localTime}:00+08:00`;
}
