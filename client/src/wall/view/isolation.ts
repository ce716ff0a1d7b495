import { formatCount } from '../../format/number.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText } from '../../ui/dom.ts';
import type { CommunityIsolation } from '../state.ts';

/**
 * Home isolation per community (the command-work view): under isolation now, begun and ended today.
 * Counts only: the wall's token may not read who, and the API gives it nothing else.
 */
export function createIsolationPanel(lang: Lang) {
  const t = wallMessages[lang];
  const c = t.isolationColumns;
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'iso-table', 'data-testid': 'isolation-by-community' },
    h('thead', {}, h('tr', {}, h('th', { class: 'iso-community', text: c.community }), h('th', { text: c.under }), h('th', { text: c.started }), h('th', { text: c.ended }))),
    body,
  );
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const el = h('section', { class: 'panel iso-panel' }, h('h2', { class: 'panel-title', text: t.isolationByCommunity }), table, empty);
  const rows = new KeyedList<CommunityIsolation>(
    body,
    (r) => r.community.id,
    (r) => {
      const cells = [h('td', { class: 'iso-community', text: nameIn(lang, r.community) }), h('td', { class: 'iso-under' }), h('td', { class: 'iso-started' }), h('td', { class: 'iso-ended' })];
      const row = h('tr', { class: 'iso-row' }, ...cells);
      return {
        el: row,
        update(r) {
          setAttr(row, 'data-community', r.community.id);
          setText(cells[1]!, formatCount(r.underIsolation, lang));
          setText(cells[2]!, formatCount(r.startedOnDay, lang));
          setText(cells[3]!, formatCount(r.endedOnDay, lang));
          setAttr(row, 'data-counts', JSON.stringify([r.underIsolation, r.startedOnDay, r.endedOnDay]));
        },
      };
    },
  );
  return {
    el,
    update(communities: CommunityIsolation[] | null) {
      const list = communities ?? [];
      empty.hidden = list.length > 0;
      table.hidden = list.length === 0;
      rows.render(list);
      rows.order(list);
    },
  };
}
