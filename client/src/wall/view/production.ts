import { formatCount, formatPercent } from '../../format/number.ts';
import { formatHourMinute } from '../../format/time.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { MaskEnterprise, MaskLine } from '../state.ts';

/** Mask output today against rated capacity, per enterprise and per line. */
export function createProduction(lang: Lang) {
  const t = wallMessages[lang];
  const list = h('div', { class: 'production', 'data-testid': 'production' });
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const el = h('section', { class: 'panel panel-production' }, h('h2', { class: 'panel-title', text: t.masks }), list, empty);
  let timeZone = 'Asia/Shanghai';

  const gauge = () => {
    const fill = h('div', { class: 'gauge-fill' });
    return { el: h('div', { class: 'gauge' }, fill), fill };
  };
  const setGauge = (g: { fill: HTMLElement }, produced: number, capacity: number) => {
    const ratio = capacity > 0 ? produced / capacity : 0;
    g.fill.style.width = `${Math.min(100, ratio * 100)}%`;
  };

  const enterprises = new KeyedList<MaskEnterprise>(
    list,
    (e) => e.id,
    (e) => {
      const name = h('span', { class: 'ent-name', text: nameIn(lang, e) });
      const pct = h('span', { class: 'ent-pct' });
      const figures = h('div', { class: 'ent-figures' });
      const g = gauge();
      const linesEl = h('div', { class: 'lines' });
      const lines = new KeyedList<MaskLine>(
        linesEl,
        (l) => l.id,
        (l) => {
          const lname = h('span', { class: 'line-name', text: nameIn(lang, l) });
          const status = h('span', { class: 'line-status' });
          const badge = h('span', { class: 'stale-badge' });
          const lfig = h('span', { class: 'line-figures' });
          const lg = gauge();
          const row = h('div', { class: 'line', 'data-line': l.id }, h('div', { class: 'line-head' }, lname, status, badge, lfig), lg.el);
          return {
            el: row,
            update(l) {
              setText(status, t.status[l.status] ?? l.status);
              setAttr(status, 'data-status', l.status);
              setText(lfig, `${formatCount(l.produced, lang)} / ${formatCount(l.capacity, lang)}`);
              setAttr(lfig, 'data-value', String(l.produced));
              setGauge(lg, l.produced, l.capacity);
              toggleClass(row, 'is-stale', l.stale);
              badge.hidden = !l.stale;
              setText(badge, l.stale ? (l.lastReportAt ? `${t.stale} · ${formatHourMinute(Date.parse(l.lastReportAt), timeZone)}` : t.neverReported) : '');
            },
          };
        },
      );
      const card = h(
        'div',
        { class: 'enterprise', 'data-enterprise': e.id },
        h('div', { class: 'ent-head' }, name, pct),
        figures,
        g.el,
        linesEl,
      );
      return {
        el: card,
        update(e) {
          setText(pct, formatPercent(e.capacity > 0 ? e.produced / e.capacity : null));
          figures.replaceChildren(
            h('span', { class: 'ent-produced', text: formatCount(e.produced, lang) }),
            h('span', { class: 'ent-capacity', text: ` / ${formatCount(e.capacity, lang)} ${t.capacity}` }),
            h('span', { class: 'ent-qc', text: `${t.qc} ${formatCount(e.passedQc, lang)}` }),
          );
          setGauge(g, e.produced, e.capacity);
          lines.render(e.lines);
        },
      };
    },
  );

  return {
    el,
    update(items: MaskEnterprise[], zoneTimeZone: string) {
      timeZone = zoneTimeZone;
      empty.hidden = items.length > 0;
      enterprises.render(items);
      enterprises.order(items);
    },
  };
}
