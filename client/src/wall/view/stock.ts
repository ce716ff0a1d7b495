import { formatCount } from '../../format/number.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { StockItem } from '../state.ts';

/** Stock per product (produced − allocated). */
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
      const out = h('span', { class: 'stock-out', 'data-testid': 'stock-out', text: t.outOfStock, hidden: true });
      const unit = h('span', { class: 'stock-unit', text: lang === 'en' ? s.unitEn : s.unit });
      const tile = h('div', { class: `stock-tile cat-${s.category.toLowerCase()}` }, h('div', { class: 'stock-name' }, h('span', { class: 'stock-product', text: nameIn(lang, s) })), h('div', { class: 'stock-figure' }, value, unit, out));
      return {
        el: tile,
        update(s) {
          setText(value, formatCount(s.stock, lang));
          setAttr(value, 'data-value', String(s.stock));
          // Zero is a figure: out of stock, never "no data".
          toggleClass(tile, 'is-out', s.stock <= 0);
          out.hidden = s.stock > 0;
          setAttr(tile, 'data-product', s.id);
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
