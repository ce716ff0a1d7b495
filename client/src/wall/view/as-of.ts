import { formatClock } from '../../format/time.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setAttr, setText } from '../../ui/dom.ts';

/**
 * "数据截至 HH:MM:SS": when the figures of one panel were read on the server (their own `asOf`), in
 * the zone's time, not this browser's. Shown only while the screen is live: when it is not, the
 * stale banner says since when.
 */
export function createAsOf(lang: Lang, testId: string) {
  const t = wallMessages[lang];
  const el = h('span', { class: 'panel-as-of', 'data-testid': testId, hidden: true });
  return {
    el,
    update(asOf: string | null | undefined, timeZone: string, live: boolean) {
      const ms = asOf ? Date.parse(asOf) : Number.NaN;
      const shown = live && Number.isFinite(ms);
      el.hidden = !shown;
      setText(el, shown ? t.asOf(formatClock(ms, timeZone)) : '');
      setAttr(el, 'data-as-of', shown ? new Date(ms).toISOString() : null);
    },
  };
}
