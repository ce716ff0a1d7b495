import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import { ageMinutes, isFreshHigh, type WallAlert } from '../alerts.ts';

/** The alerts strip: open alerts by severity, newest first, each with its age. */
export function createAlertsStrip(lang: Lang) {
  const t = wallMessages[lang];
  const list = h('ol', { class: 'alerts-list', 'data-testid': 'alerts' });
  const empty = h('span', { class: 'alerts-empty', text: t.noAlerts });
  const count = h('span', { class: 'alerts-count' });
  const el = h('section', { class: 'alerts-strip' }, h('h2', { class: 'alerts-title' }, h('span', { text: t.alerts }), count), list, empty);
  const items = new KeyedList<WallAlert>(
    list,
    (a) => a.id,
    (a) => {
      const severity = h('span', { class: 'alert-severity' });
      const message = h('span', { class: 'alert-message' });
      const age = h('span', { class: 'alert-age' });
      const item = h('li', { class: 'alert' }, severity, message, age);
      setAttr(item, 'data-alert-id', a.id);
      return {
        el: item,
        update(a) {
          setAttr(item, 'data-severity', a.severity);
          setText(severity, t.severity[a.severity] ?? a.severity);
          setText(message, lang === 'en' ? a.messageEn : a.message);
          toggleClass(item, 'is-acknowledged', a.status === 'ACKNOWLEDGED');
        },
      };
    },
  );
  return {
    el,
    update(alerts: WallAlert[], nowMs: number) {
      empty.hidden = alerts.length > 0;
      setText(count, alerts.length ? String(alerts.length) : '');
      items.render(alerts);
      items.order(alerts);
      this.tick(alerts, nowMs);
    },
    /** Ages and highlights follow the clock. */
    tick(alerts: WallAlert[], nowMs: number) {
      for (const a of alerts) {
        const item = list.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(a.id)}"]`);
        if (!item) continue;
        const ageEl = item.querySelector('.alert-age')!;
        setText(ageEl, `${t.alertAge(ageMinutes(a, nowMs))}${a.status === 'ACKNOWLEDGED' ? ` · ${t.acknowledged}` : ''}`);
        toggleClass(item, 'is-new', isFreshHigh(a, nowMs));
      }
    },
  };
}
