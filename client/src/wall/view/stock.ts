import { formatCount } from '../../format/number.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { StockItem } from '../state.ts';

/**
 * Stock per product (produced − allocated) against its safety level (安全库存): a gauge with the
 * level at its middle, the level itself, a word when it is below (低于安全库存) or at 0 (缺货), and
 * today's flows: in (produced in the zone), out to the city, out within the zone.
 */
export function createStock(lang: Lang) {
  const t = wallMessages[lang];
  const grid = h('div', { class: 'stock', 'data-testid': 'stock' });
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const el = h('section', { class: 'panel panel-stock' }, h('h2', { class: 'panel-title', text: t.stock }), grid, empty);
  const tiles = new KeyedList<StockItem>(
    grid,
    (s) => s.id,
    (s) => {
      const value = h('span', { class: 'stock-value' });
      const out = h('span', { class: 'stock-word stock-out', 'data-testid': 'stock-out', text: t.outOfStock, hidden: true });
      const low = h('span', { class: 'stock-word stock-low', 'data-testid': 'stock-low', text: t.belowSafetyLevel, hidden: true });
      const unit = h('span', { class: 'stock-unit', text: lang === 'en' ? s.unitEn : s.unit });
      const fill = h('span', { class: 'stock-fill' });
      const gauge = h('span', { class: 'stock-gauge' }, fill, h('span', { class: 'stock-mark' }));
      const safety = h('span', { class: 'stock-safety', 'data-testid': 'stock-safety' });
      const flows = h('div', { class: 'stock-flows', 'data-testid': 'stock-flows' });
      const tile = h(
        'div',
        { class: `stock-tile cat-${s.category.toLowerCase()}`, 'data-testid': 'stock-tile' },
        h('div', { class: 'stock-name' }, h('span', { class: 'stock-product', text: nameIn(lang, s) }), out, low),
        h('div', { class: 'stock-figure' }, value, unit),
        h('div', { class: 'stock-need' }, gauge, safety),
        flows,
      );
      return {
        el: tile,
        update(s) {
          setText(value, formatCount(s.stock, lang));
          setAttr(value, 'data-value', String(s.stock));
          setAttr(tile, 'data-product', s.id);
          setAttr(tile, 'data-level', s.level);
          setAttr(tile, 'data-safety-level', String(s.safetyLevel));
          // Zero is a figure: out of stock, never "no data"; below the level is the warning before it.
          toggleClass(tile, 'is-out', s.level === 'out');
          toggleClass(tile, 'is-low', s.level === 'low');
          out.hidden = s.level !== 'out';
          low.hidden = s.level !== 'low';
          // The safety level sits at the middle of the gauge: full is twice the level.
          gauge.hidden = s.safetyLevel <= 0;
          fill.style.width = `${s.safetyLevel > 0 ? Math.min(100, (50 * Math.max(0, s.stock)) / s.safetyLevel) : 0}%`;
          setText(safety, s.safetyLevel > 0 ? t.safetyLevel(formatCount(s.safetyLevel, lang)) : t.noSafetyLevel);
          setText(flows, t.stockToday(formatCount(s.today.produced, lang), formatCount(s.today.toCity, lang), formatCount(s.today.toZone, lang)));
          setAttr(flows, 'data-flows', JSON.stringify(s.today));
        },
      };
    },
  );
  return {
    el,
    update(items: StockItem[]) {
      empty.hidden = items.length > 0;
      tiles.render(items);
      tiles.order(items);
    },
  };
}
