import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setText } from '../../ui/dom.ts';
import type { ReportedThisHour } from '../completeness.ts';

/** "7 / 8 reported this hour", and the sites that have not. */
export function createCompletenessPanel(lang: Lang) {
  const t = wallMessages[lang];
  const figure = h('span', { class: 'completeness-figure', 'data-testid': 'completeness-figure' });
  const missing = h('span', { class: 'completeness-missing', 'data-testid': 'completeness-missing' });
  const el = h('section', { class: 'completeness-panel', 'data-testid': 'completeness' }, h('h2', { class: 'completeness-title', text: t.reportedThisHour }), figure, missing);
  return {
    el,
    update(value: ReportedThisHour | null) {
      el.dataset.complete = value && value.due > 0 && value.missing.length === 0 ? 'true' : 'false';
      setText(figure, value && value.due > 0 ? `${value.reported} / ${value.due}` : '—');
      const names = (value?.missing ?? []).map((s) => (lang === 'en' ? s.nameEn : s.name));
      setText(missing, !value ? t.noData : value.due === 0 ? t.nothingDue : names.length ? `${t.notReported}${names.join(lang === 'en' ? ', ' : '、')}` : t.allReported);
    },
  };
}
