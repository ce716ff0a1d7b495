import { Prisma } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { CheckpointRef } from '../checkpoints/checkpoints.ts';
import { ProductionLineRef } from '../production/production.ts';

// A site's reporting schedule: every `reportIntervalMinutes` while it is open (its opening hours,
// local time), from the day it opened to the day it closed. Reporting completeness counts against it.

export interface OpeningHoursRow {
  opensAtMinute: number | null;
  closesAtMinute: number | null;
}

/**
 * The instants a site's opening on a local day begins and ends, as SQL: the day (a date expression)
 * plus the opening minutes is a wall-clock reading (timestamp without time zone), which AT TIME ZONE
 * makes an instant, DST included. A closing at or before the opening, or none (round the clock),
 * falls on the next day. Completeness and the silent-site alert read schedules through this alone.
 */
export function openingBounds(day: Prisma.Sql, opens: Prisma.Sql, closes: Prisma.Sql, timeZone: string) {
  return {
    opensAt: Prisma.sql`((${day})::date + make_interval(mins => COALESCE(${opens}, 0))) AT TIME ZONE ${timeZone}`,
    closesAt: Prisma.sql`((${day})::date + make_interval(mins => COALESCE(${closes}, 0))
      + CASE WHEN ${opens} IS NULL OR ${closes} <= ${opens} THEN interval '1 day' ELSE interval '0 days' END) AT TIME ZONE ${timeZone}`,
  };
}

const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

const OpeningHoursRef = builder.objectRef<OpeningHoursRow>('OpeningHours').implement({
  description:
    'When a site is open, on the wall clock of the zone, every local day. A closing time at or before the opening time runs past midnight into the next day.',
  fields: (t) => ({
    roundTheClock: t.boolean({ description: 'Open 24 hours (opens and closes at local midnight).', resolve: (h) => h.opensAtMinute === null }),
    opens: t.string({ description: 'Local opening time, "HH:MM".', resolve: (h) => clock(h.opensAtMinute ?? 0) }),
    closes: t.string({ description: 'Local closing time, "HH:MM" ("00:00" with roundTheClock: the next midnight).', resolve: (h) => clock(h.closesAtMinute ?? 0) }),
    crossesMidnight: t.boolean({
      description: 'The opening runs past midnight into the next local day.',
      resolve: (h) => h.opensAtMinute !== null && h.closesAtMinute !== null && h.closesAtMinute <= h.opensAtMinute,
    }),
  }),
});

const openingHoursField = { type: OpeningHoursRef, description: 'When the site is expected to report, local time (reports every reportIntervalMinutes while open).' } as const;

builder.objectField(CheckpointRef, 'openingHours', (t) =>
  t.field({ ...openingHoursField, resolve: (c) => ({ opensAtMinute: c.opensAtMinute, closesAtMinute: c.closesAtMinute }) }),
);
builder.objectField(ProductionLineRef, 'openingHours', (t) =>
  t.field({ ...openingHoursField, resolve: (l) => ({ opensAtMinute: l.opensAtMinute, closesAtMinute: l.closesAtMinute }) }),
);
builder.objectField(ProductionLineRef, 'reportIntervalMinutes', (t) =>
  t.exposeInt('reportIntervalMinutes', { description: 'How often the line is expected to report output while open.' }),
);
builder.objectField(ProductionLineRef, 'openedAt', (t) =>
  t.expose('openedAt', { type: 'DateTime', nullable: true, description: 'From when the line is expected to report (it started producing); null: always.' }),
);
builder.objectField(ProductionLineRef, 'closedAt', (t) =>
  t.expose('closedAt', { type: 'DateTime', nullable: true, description: 'From when it is no longer expected to report; null: still open.' }),
);
