import { formatCount } from '../../format/number.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { StockItem } from '../state.ts';

/**
 * Stock per product (produced − allocated) against its safety level (安全库存), one row each: the
 * stock with a word when it is below the level (库存偏低) or at 0 (缺货), a gauge whose middle mark
 * is the level, and today's flows: in (produced in the zone), out to the city, out within the zone.
 */
export function createStock(lang: Lang) {
  const t = wallMessages[lang];
  const c = t.stockColumns;
  const grid = h('div', { class: 'stock', 'data-testid': 'stock' });
  const head = h(
    'div',
    { class: 'stock-head' },
    h('span', { class: 'stock-product', text: c.product }),
    h('span', { class: 'stock-figure', text: c.stock }),
    h('span', { class: 'stock-need', text: c.safetyLevel }),
    h('span', { class: 'stock-head-flow', text: c.produced }),
    h('span', { class: 'stock-head-flow', text: c.toCity }),
    h('span', { class: 'stock-head-flow', text: c.toZone }),
  );
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const el = h('section', { class: 'panel panel-stock' }, h('h2', { class: 'panel-title', text: t.stock }), head, grid, empty);
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
      const flowCells = [h('span', { class: 'stock-flow' }), h('span', { class: 'stock-flow' }), h('span', { class: 'stock-flow' })] as const;
      const flows = h('span', { class: 'stock-flows', 'data-testid': 'stock-flows' }, ...flowCells);
      const tile = h(
        'div',
        { class: `stock-tile cat-${s.category.toLowerCase()}`, 'data-testid': 'stock-tile' },
        h('span', { class: 'stock-product', text: nameIn(lang, s) }),
        h('span', { class: 'stock-figure' }, value, unit, out, low),
        h('span', { class: 'stock-need' }, gauge, safety),
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
          setText(safety, s.safetyLevel > 0 ? formatCount(s.safetyLevel, lang) : t.noSafetyLevel);
          const [produced, toCity, toZone] = flowCells;
          setText(produced, s.today.produced ? `+${formatCount(s.today.produced, lang)}` : '0');
          setText(toCity, s.today.toCity ? `−${formatCount(s.today.toCity, lang)}` : '0');
          setText(toZone, s.today.toZone ? `−${formatCount(s.today.toZone, lang)}` : '0');
          setAttr(flows, 'data-flows', JSON.stringify(s.today));
        },
      };
    },
  );
  return {
    el,
    update(items: StockItem[]) {
      empty.hidden = items.length > 0;
      head.hidden = items.length === 0;
      tiles.render(items);
      tiles.order(items);
    },
  };
}
