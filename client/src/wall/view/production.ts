import { formatCount, formatPercent } from '../../format/number.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { MaskCapacity, MaskEnterprise, MaskLine, MaskTotals } from '../state.ts';

/** Mask output today against rated capacity, per enterprise and per line. */
export function createProduction(lang: Lang) {
  const t = wallMessages[lang];
  const list = h('div', { class: 'production', 'data-testid': 'production' });
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const totalValue = h('span', { class: 'mask-total-value', 'data-testid': 'masks-produced' });
  const ring = h('div', { class: 'ring' });
  const ringText = h('span', { class: 'ring-text' });
  ring.append(ringText);
  const meta = h('div', { class: 'mask-total-meta' });
  const total = h(
    'div',
    { class: 'mask-total' },
    h('div', {}, h('div', { class: 'mask-total-label', text: t.masksToday }), h('div', { class: 'mask-total-figure' }, totalValue, h('span', { class: 'mask-total-unit', text: t.unitPieces })), meta),
    ring,
  );
  const el = h('section', { class: 'panel panel-production' }, h('h2', { class: 'panel-title', text: t.masks }), total, list, empty);

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
              // Figures of another day than the headline's are not yet known for this one.
              setText(lfig, `${l.otherDay ? '—' : formatCount(l.produced, lang)} / ${formatCount(l.capacity, lang)}`);
              setAttr(lfig, 'data-value', l.otherDay ? null : String(l.produced));
              setGauge(lg, l.otherDay ? 0 : l.produced, l.capacity);
              toggleClass(row, 'is-stale', l.stale);
              badge.hidden = !l.stale;
              setText(badge, l.stale ? t.neverReported : '');
              setAttr(row, 'data-stale', l.stale ? 'true' : 'false');
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
    /** `capacity`: the lines expected to produce, as on the enterprise cards (state.ts, maskCapacity). */
    update(items: MaskEnterprise[], masks: MaskTotals | null, capacity: MaskCapacity) {
      total.hidden = !masks;
      if (masks) {
        const ratio = capacity.capacity > 0 ? masks.produced / capacity.capacity : null;
        setText(totalValue, formatCount(masks.produced, lang));
        setAttr(totalValue, 'data-value', String(masks.produced));
        setText(ringText, formatPercent(ratio));
        setAttr(ring, 'data-capacity', String(capacity.capacity));
        ring.style.setProperty('--p', String(Math.min(100, (ratio ?? 0) * 100)));
        setText(
          meta,
          `${t.maskMeta(formatCount(capacity.capacity, lang), formatPercent(masks.produced > 0 ? masks.passedQc / masks.produced : null))} · ${t.expectedLines(capacity.expectedLines, capacity.producingLines)}`,
        );
      }
      empty.hidden = items.length > 0;
      enterprises.render(items);
      enterprises.order(items);
    },
  };
}
