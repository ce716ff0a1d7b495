import { formatCount } from '../../format/number.ts';
import { formatHourMinute } from '../../format/time.ts';
import { nameIn, wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, KeyedList, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { RankedCheckpoint } from '../state.ts';

/** Rows are placed by rank with a transform, so a change of rank slides instead of jumping. */
export function createRanking(lang: Lang) {
  const t = wallMessages[lang];
  const list = h('ol', { class: 'ranking', 'data-testid': 'ranking' });
  const empty = h('div', { class: 'panel-empty', text: t.noData });
  const el = h('section', { class: 'panel panel-ranking' }, h('h2', { class: 'panel-title', text: t.ranking }), list, empty);
  let timeZone = 'Asia/Shanghai';
  let max = 1;

  const rows = new KeyedList<RankedCheckpoint, HTMLLIElement>(
    list,
    (c) => c.id,
    (c) => {
      const rank = h('span', { class: 'rank-no' });
      const name = h('span', { class: 'rank-name', text: nameIn(lang, c) });
      const kind = h('span', { class: 'rank-kind', text: t.checkpointKinds[c.kind] ?? c.kind });
      const badge = h('span', { class: 'stale-badge' });
      const fever = h('span', { class: 'rank-fever' });
      const value = h('span', { class: 'rank-value' });
      const bar = h('div', { class: 'rank-bar' });
      let shownIndex = -1;
      const el = h(
        'li',
        { class: 'rank-row is-new', 'data-checkpoint': c.id },
        rank,
        h('div', { class: 'rank-main' }, h('div', { class: 'rank-head' }, name, kind, badge), h('div', { class: 'rank-track' }, bar)),
        h('div', { class: 'rank-figures' }, value, fever),
      );
      return {
        el,
        update(c, index) {
          // While rows slide past each other, the one moving up passes over the other (rows are opaque).
          if (index !== shownIndex) el.style.zIndex = shownIndex === -1 || index < shownIndex ? '2' : '1';
          if (shownIndex !== -1) el.classList.remove('is-new');
          shownIndex = index;
          el.style.setProperty('--rank', String(index));
          setText(rank, String(index + 1));
          toggleClass(el, 'top', index < 3);
          // Figures of another day than the headline's are not yet known for this one.
          setText(value, c.otherDay ? '—' : formatCount(c.peopleScreened, lang));
          setAttr(value, 'data-value', c.otherDay ? null : String(c.peopleScreened));
          const fevers = c.otherDay ? 0 : c.feverCases;
          setText(fever, fevers > 0 ? `${t.fever} ${formatCount(fevers, lang)}` : '');
          fever.hidden = fevers === 0;
          toggleClass(el, 'has-fever', fevers > 0);
          bar.style.width = `${c.otherDay ? 0 : Math.max(1.5, (c.peopleScreened / max) * 100)}%`;
          toggleClass(el, 'is-stale', c.stale);
          setAttr(el, 'data-stale', c.stale ? 'true' : 'false');
          setText(badge, c.stale ? (c.lastReportAt ? `${t.stale} · ${formatHourMinute(Date.parse(c.lastReportAt), timeZone)}` : t.neverReported) : '');
          badge.hidden = !c.stale;
        },
      };
    },
  );

  return {
    el,
    update(items: RankedCheckpoint[], zoneTimeZone: string) {
      timeZone = zoneTimeZone;
      max = Math.max(1, ...items.map((c) => (c.otherDay ? 0 : c.peopleScreened)));
      // Rows share the panel's height (up to a comfortable maximum), so few rows do not leave a void.
      const rootPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      const available = list.clientHeight;
      const rowPx = items.length && available > 0 ? Math.min(rootPx * 5.2, Math.max(rootPx * 3.2, available / items.length)) : rootPx * 3.55;
      list.style.setProperty('--row', `${rowPx}px`);
      list.style.setProperty('--rows', String(items.length));
      empty.hidden = items.length > 0;
      rows.render(items);
    },
  };
}
