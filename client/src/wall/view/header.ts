import type { ConnectionState } from '../../live/connection-state.ts';
import { formatClock, formatHourMinute, formatLongDate } from '../../format/time.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { Refusal } from '../access.ts';
import { createAsOf } from './as-of.ts';

export interface HeaderInput {
  connection: ConnectionState;
  /** Figures arrived since the last connection: "live" is shown only then. */
  receiving: boolean;
  /** The server will not show this screen the figures. */
  access: Refusal | null;
  /** The server refuses the display's operations (e.g. an unknown token). */
  refusal: { code: string; message: string } | null;
  simulated: boolean;
  /** The server's "now" (ms). */
  nowMs: number;
  /** Server clock minus this browser's: connection times are local, the screen shows server time. */
  offsetMs: number;
  timeZone: string;
  /** When the headline figures were read (the zone summary's asOf), or null before any. */
  asOf: string | null;
  /** Start of the day the figures on screen belong to (the zone summary's), or null before any. */
  dayStartMs: number | null;
}

/** Zone name, date and clock in the zone, connection state, and the "simulated" label. */
export function createHeader(lang: Lang) {
  const t = wallMessages[lang];
  const date = h('div', { class: 'clock-date', 'data-testid': 'date' });
  const clock = h('div', { class: 'clock-time', 'data-testid': 'clock' });
  const statusText = h('span', { class: 'conn-text' });
  const statusDetail = h('span', { class: 'conn-detail' });
  const status = h('div', { class: 'conn', 'data-testid': 'connection', role: 'status' }, h('span', { class: 'conn-dot' }), statusText, statusDetail);
  const simulated = h('div', { class: 'simulated-badge', 'data-testid': 'simulated', hidden: true, title: t.simulatedNote }, lang === 'zh' ? '模拟数据 · SIMULATED' : 'SIMULATED · 模拟数据');
  const stale = h('div', { class: 'stale-banner', 'data-testid': 'stale', hidden: true });
  const asOf = createAsOf(lang, 'as-of-headline');
  const problem = h('div', { class: 'problem-badge', 'data-testid': 'refusal', hidden: true });
  const el = h(
    'header',
    { class: 'wall-header' },
    h('div', { class: 'brand' }, h('div', { class: 'emblem', 'aria-hidden': 'true' }), h('div', {}, h('h1', { class: 'zone-name', text: t.zoneName }), h('div', { class: 'wall-title', text: t.wallTitle }))),
    h('div', { class: 'header-side' }, simulated, problem, h('div', { class: 'conn-side' }, status, asOf.el), h('div', { class: 'clock' }, clock, date)),
    stale,
  );

  return {
    el,
    update({ connection, receiving, access, refusal, simulated: isSimulated, nowMs, offsetMs, timeZone, dayStartMs, asOf: figuresAsOf }: HeaderInput) {
      // Both from the server: before its first figures, this browser's clock would be a guess.
      setText(clock, dayStartMs === null ? '' : formatClock(nowMs, timeZone));
      setText(date, dayStartMs === null ? '' : formatLongDate(dayStartMs, timeZone, lang));
      setAttr(date, 'data-day-start', dayStartMs === null ? null : new Date(dayStartMs).toISOString());
      simulated.hidden = !isSimulated;
      const state = access ? 'refused' : connection.status === 'live' && !receiving ? 'waiting' : connection.status;
      setAttr(status, 'data-state', state);
      setText(
        statusText,
        state === 'refused' ? t.notAuthorisedBadge : state === 'live' ? t.live : state === 'waiting' ? t.waitingForData : state === 'reconnecting' ? t.reconnecting : t.connecting,
      );
      setText(statusDetail, connection.status !== 'live' && connection.attempts > 0 ? t.attempt(connection.attempts) : '');
      const since = connection.staleSince;
      stale.hidden = since === null;
      // How long it has been, on this browser's clock (the cut was seen here): it ticks with the clock.
      const elapsed = since === null ? 0 : Math.max(0, Math.floor((Date.now() - since) / 1000));
      setText(stale, since === null ? '' : `${t.staleSince(formatHourMinute(since + offsetMs, timeZone))} · ${t.disconnectedFor(elapsed)}`);
      setAttr(stale, 'data-elapsed-s', since === null ? null : String(elapsed));
      asOf.update(figuresAsOf, timeZone, state === 'live');
      toggleClass(document.body, 'is-stale', since !== null);
      problem.hidden = !refusal;
      setText(problem, refusal ? t.refused(refusal.code) : '');
      setAttr(problem, 'title', refusal?.message ?? null);
      setAttr(problem, 'data-code', refusal?.code ?? null);
    },
  };
}
