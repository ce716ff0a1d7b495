import { builder } from './builder.ts';
import { invalidArgument } from './errors.ts';

export const MAX_RANGE_DAYS = 400;
export const MAX_BUCKETS = 10_000;

export const SeriesBucket = builder.enumType('SeriesBucket', {
  description: 'The width of a chart bucket, aligned to local time in the zone.',
  values: {
    HOUR: { description: 'One local hour.', value: 'hour' },
    DAY: { description: 'One local day, 00:00 to 24:00.', value: 'day' },
    WEEK: { description: 'One ISO week in local time: Monday 00:00 to the next Monday 00:00.', value: 'week' },
  } as const,
});

const bucketMs = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;

/**
 * How many buckets a series over [from, to) holds at most (what it returns, one point each); 0 for an
 * empty or reversed range. A week's bucket starts on the Monday before `from`, so one more may begin.
 */
export function bucketCount(from: Date, to: Date, bucket: 'hour' | 'day' | 'week'): number {
  const span = to.getTime() - from.getTime();
  if (span <= 0) return 0;
  return Math.ceil(span / bucketMs[bucket]) + (bucket === 'week' ? 1 : 0);
}

/** Validates a [from, to) window: ordered, at most 400 days, and at most 10,000 buckets wide. */
export function checkTimeRange(from: Date, to: Date, bucket?: 'hour' | 'day' | 'week'): void {
  if (to.getTime() <= from.getTime()) throw invalidArgument('to', `must be after from (${from.toISOString()})`);
  if (bucket) {
    const buckets = bucketCount(from, to, bucket);
    if (buckets > MAX_BUCKETS) throw invalidArgument('bucket', `the range holds ${buckets} buckets; at most ${MAX_BUCKETS} are allowed`);
  }
  const days = (to.getTime() - from.getTime()) / bucketMs.day;
  if (days > MAX_RANGE_DAYS) throw invalidArgument('to', `the range spans ${Math.ceil(days)} days; at most ${MAX_RANGE_DAYS} are allowed`);
}

/** An optional time window on a timestamp column, for list filters. */
export const TimeRangeInput = builder.inputType('TimeRangeInput', {
  description: 'A half-open window [from, to) of instants.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: false, description: 'Inclusive start.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Exclusive end.' }),
  }),
});

export function timeRangeWhere(range: { from?: Date | null; to?: Date | null } | null | undefined) {
  if (!range) return undefined;
  if (range.from && range.to) checkTimeRange(range.from, range.to);
  return { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lt: range.to } : {}) };
}
