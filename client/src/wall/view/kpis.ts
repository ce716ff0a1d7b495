import { formatCount } from '../../format/number.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { AnimatedNumber } from '../../ui/animated-number.ts';
import { h, toggleClass } from '../../ui/dom.ts';
import type { Totals } from '../state.ts';

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
        h('div', { class: 'kpi-figure' }, value, units[key] ? h('span', { class: 'kpi-unit', text: units[key] }) : null),
      );
    if (key === 'feverCases') feverCard = card;
    el.append(card);
  }
  return {
    el,
    update(totals: Totals | null) {
      if (!totals) return;
      for (const key of KEYS) counters.get(key)!.set(totals[key]);
      // Any fever case today turns its card red: it is the figure the room must not miss.
      if (feverCard) toggleClass(feverCard, 'has-fever', totals.feverCases > 0);
    },
  };
}
