// The server's clock, for every token: a demo server runs a clock of its own
// (FANGKONG_CLOCK_START), and the simulator and the screens must follow it, not the machine's, or
// their reports fall outside the server's "today" and are refused. It tells the time and nothing
// else, so any valid token may read it.
import { localDate } from '@fangkong/zone';
import { builder } from '../core/builder.ts';

interface Clock {
  now: Date;
  timeZone: string;
}

const ClockRef = builder.objectRef<Clock>('Clock').implement({
  description: "The server's clock: the real one, or a demo's.",
  fields: (t) => ({
    now: t.field({ type: 'DateTime', description: "The server's now.", resolve: (c) => c.now }),
    timeZone: t.exposeString('timeZone', { description: "The zone's time zone (IANA name); reporting days are its local days." }),
    today: t.field({ type: 'Date', description: 'The local reporting day now (YYYY-MM-DD).', resolve: (c) => localDate(c.now, c.timeZone) }),
  }),
});

builder.queryField('clock', (t) =>
  t.field({
    // Any valid token; the server refuses requests without one before this runs.
    authScopes: { reference: true },
    type: ClockRef,
    description: "The server's clock and the zone's time zone. Clients that report or show 'today' follow it, not their own clock.",
    resolve: (_root, _args, ctx) => ({ now: ctx.now(), timeZone: ctx.timeZone }),
  }),
);
