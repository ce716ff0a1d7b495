import { describe, expect, it } from 'vitest';
import { reportedThisHour, type WallSiteCompleteness } from './completeness.ts';

const site = (slug: string, end: string | null, received = true, kind: WallSiteCompleteness['kind'] = 'CHECKPOINT'): WallSiteCompleteness => ({
  kind,
  slug,
  name: slug,
  nameEn: slug,
  latest: end ? { start: new Date(Date.parse(end) - 3_600_000).toISOString(), end, received } : null,
});

describe('reported this hour', () => {
  const now = Date.parse('2020-02-07T06:20:00Z');

  it('counts the sites whose latest period ended within the hour, and names those that did not report it', () => {
    const result = reportedThisHour(
      [
        site('a', '2020-02-07T06:00:00Z'),
        site('b', '2020-02-07T06:00:00Z', false),
        site('line', '2020-02-07T05:30:00Z', false, 'PRODUCTION_LINE'),
        // Due 61 minutes ago (a two-hourly site): not this hour.
        site('c', '2020-02-07T05:19:00Z', false),
        // Nothing due yet today (opens later).
        site('d', null),
      ],
      now,
    );
    expect(result.due).toBe(3);
    expect(result.reported).toBe(1);
    expect(result.missing.map((s) => s.slug)).toEqual(['b', 'line']);
  });

  it('is zero of zero when nothing fell due', () => {
    expect(reportedThisHour([site('d', null)], now)).toEqual({ due: 0, reported: 0, missing: [] });
  });
});
