// Test aid: shifts this process's clock (and, through NODE_OPTIONS, its children's) to the instant
// FAKE_NOW names, running on from there. Only JavaScript's Date moves; databases keep their own.
const target = Date.parse(process.env.FAKE_NOW);
if (!Number.isNaN(target)) {
  const RealDate = Date;
  const offset = target - RealDate.now();
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
