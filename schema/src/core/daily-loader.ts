import DataLoader from 'dataloader';
import type { Context } from './context.ts';
import { localDay, type LocalDay } from '@fangkong/zone';

/** Key of one row's figures on one local day. */
export const dayKey = (day: string, id: string) => `${day}|${id}`;

/**
 * A per-request loader of per-day figures: keys are dayKey(day, id); each distinct day asked in a
 * request costs one statement covering every id, so a page of 50 rows is one query, not 50.
 */
export function perDayLoader<T>(ctx: Context, load: (ids: string[], day: LocalDay) => Promise<T[]>): DataLoader<string, T> {
  return new DataLoader<string, T>(async (keys) => {
    const idsByDay = new Map<string, string[]>();
    for (const key of keys) {
      const [day, id] = key.split('|') as [string, string];
      const ids = idsByDay.get(day);
      if (ids) ids.push(id);
      else idsByDay.set(day, [id]);
    }
    const results = new Map<string, T>();
    for (const [day, ids] of idsByDay) {
      const figures = await load(ids, localDay(day, ctx.timeZone));
      for (const [i, id] of ids.entries()) results.set(dayKey(day, id), figures[i]!);
    }
    return keys.map((key) => results.get(key)!);
  });
}
