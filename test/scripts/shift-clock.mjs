// Test aid: shifts this process's clock (and, through NODE_OPTIONS, its children's) to the instant
// FAKE_NOW names, running on from there. Only JavaScript's Date moves; databases keep their own.
// The first process fixes the offset and hands it down, so a child started later (a server, the CLI)
// keeps the same clock instead of starting again at FAKE_NOW.
const target = Date.parse(process.env.FAKE_NOW);
if (!Number.isNaN(target)) {
  const RealDate = Date;
  process.env.FAKE_NOW_OFFSET_MS ??= String(target - RealDate.now());
  const offset = Number(process.env.FAKE_NOW_OFFSET_MS);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
