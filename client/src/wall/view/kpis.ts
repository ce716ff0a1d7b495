import { formatCount } from '../../format/number.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { AnimatedNumber } from '../../ui/animated-number.ts';
import { h, setAttr, setText, toggleClass } from '../../ui/dom.ts';
import type { Change, ChangeKey, Totals } from '../state.ts';

const KEYS = ['vehiclesInspected', 'peopleScreened', 'feverCases', 'referred', 'peopleUnderIsolation'] as const;

/** Today's totals as big animated counters. */
export function createKpis(lang: Lang) {
  const t = wallMessages[lang];
  const units: Record<(typeof KEYS)[number], string> = {
    vehiclesInspected: t.unitVehicles,
    peopleScreened: t.unitPeople,
    feverCases: t.unitPeople,
    referred: t.unitPeople,
    peopleUnderIsolation: t.unitPeople,
  };
  const counters = new Map<(typeof KEYS)[number], AnimatedNumber>();
  let feverCard: HTMLElement | null = null;
  // Reported with the same figures, shown beneath the one they belong to: Hubei-linked people are
  // among those screened; disinfections are done at the checkpoints where vehicles are inspected.
  const secondary = {
    peopleScreened: h('div', { class: 'kpi-sub', 'data-testid': 'total-hubeiLinked' }),
    vehiclesInspected: h('div', { class: 'kpi-sub', 'data-testid': 'total-disinfections' }),
    peopleUnderIsolation: h('div', { class: 'kpi-sub', 'data-testid': 'total-isolation-today' }),
  };
  // The change and, beneath it, what it is against (the same time yesterday, or yesterday's end).
  const changes = Object.fromEntries(
    KEYS.map((key) => {
      const value = h('span', { class: 'kpi-change-value' });
      const base = h('span', { class: 'kpi-change-base' });
      return [key, { el: h('div', { class: 'kpi-change', 'data-testid': `change-${key}`, hidden: true }, value, base), value, base }];
    }),
  ) as unknown as Record<ChangeKey, { el: HTMLElement; value: HTMLElement; base: HTMLElement }>;
  const el = h('section', { class: 'kpis', 'aria-label': t.today });
  for (const key of KEYS) {
    const value = h('span', { class: 'kpi-value', 'data-testid': `total-${key}`, text: '—' });
    // No counting up: a figure between two snapshots was never true, and a total must never read
    // less than a row beside it.
    counters.set(key, new AnimatedNumber(value, (n) => formatCount(n, lang), 0));
    const card = h(
        'div',
        { class: `kpi kpi-${key}`, 'data-testid': `kpi-${key}` },
        h('div', { class: 'kpi-label' }, h('span', { text: t[key] }), h('span', { class: 'kpi-today', text: t.today })),
        h(
          'div',
          { class: 'kpi-figure' },
          value,
          units[key] ? h('span', { class: 'kpi-unit', text: units[key] }) : null,
          h('div', { class: 'kpi-side' }, changes[key].el, key === 'peopleScreened' || key === 'vehiclesInspected' || key === 'peopleUnderIsolation' ? secondary[key] : null),
        ),
      );
    if (key === 'feverCases') feverCard = card;
    el.append(card);
  }
  return {
    el,
    update(totals: Totals | null, against: Record<ChangeKey, Change> | null) {
      if (!totals) return;
      for (const key of KEYS) {
        // Only a comparison cut at the same moment as the figures shown; none while it is fetched again.
        const c = against?.[key] ?? null;
        const { el: change, value, base } = changes[key];
        change.hidden = !c;
        setText(value, c ? t.change(c.change, formatCount(Math.abs(c.change), lang)) : '');
        setText(base, c ? t.changeBase[c.base] : '');
        setAttr(change, 'data-value', c ? String(c.change) : null);
        setAttr(change, 'data-base', c?.base ?? null);
        toggleClass(change, 'is-up', (c?.change ?? 0) > 0);
        toggleClass(change, 'is-down', (c?.change ?? 0) < 0);
      }
      for (const key of KEYS) counters.get(key)!.set(totals[key]);
      // Any fever case today turns its card red: it is the figure the room must not miss.
      setText(secondary.peopleScreened, t.hubeiLinked(formatCount(totals.hubeiLinked, lang)));
      setAttr(secondary.peopleScreened, 'data-value', String(totals.hubeiLinked));
      setText(secondary.vehiclesInspected, t.disinfections(formatCount(totals.disinfections, lang)));
      setAttr(secondary.vehiclesInspected, 'data-value', String(totals.disinfections));
      // Isolation is a level; beneath it, how it moved today (counts only, never who).
      setText(secondary.peopleUnderIsolation, t.isolationToday(formatCount(totals.isolationStarted, lang), formatCount(totals.isolationEnded, lang)));
      setAttr(secondary.peopleUnderIsolation, 'data-started', String(totals.isolationStarted));
      setAttr(secondary.peopleUnderIsolation, 'data-ended', String(totals.isolationEnded));
      if (feverCard) toggleClass(feverCard, 'has-fever', totals.feverCases > 0);
    },
  };
}
