import { formatCount } from '../../format/number.ts';
import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { AnimatedNumber } from '../../ui/animated-number.ts';
import { h } from '../../ui/dom.ts';
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
  const el = h('section', { class: 'kpis', 'aria-label': t.today });
  for (const key of KEYS) {
    const value = h('span', { class: 'kpi-value', 'data-testid': `total-${key}`, text: '—' });
    counters.set(key, new AnimatedNumber(value, (n) => formatCount(n, lang)));
    el.append(
      h(
        'div',
        { class: `kpi kpi-${key}` },
        h('div', { class: 'kpi-label' }, h('span', { text: t[key] }), h('span', { class: 'kpi-today', text: t.today })),
        h('div', { class: 'kpi-figure' }, value, units[key] ? h('span', { class: 'kpi-unit', text: units[key] }) : null),
      ),
    );
  }
  return {
    el,
    update(totals: Totals | null) {
      if (!totals) return;
      for (const key of KEYS) counters.get(key)!.set(totals[key]);
    },
  };
}
