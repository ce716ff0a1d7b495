import { wallMessages, type Lang } from '../../i18n/messages.ts';
import { h, setAttr, setText } from '../../ui/dom.ts';
import type { Refusal } from '../access.ts';

/** Over the whole wall, in large type: the screen is not authorised, why, and how to fix it. */
export function createNotAuthorised(lang: Lang) {
  const t = wallMessages[lang];
  const why = h('p', { class: 'refused-why', 'data-testid': 'not-authorised-why' });
  const el = h(
    'section',
    { class: 'refused-screen', 'data-testid': 'not-authorised', role: 'alert', hidden: true },
    h('div', { class: 'refused-box' }, h('h2', { class: 'refused-title', text: t.notAuthorised }), why, h('p', { class: 'refused-fix', text: t.refusalFix })),
  );
  return {
    el,
    update(refusal: Refusal | null) {
      el.hidden = refusal === null;
      setAttr(el, 'data-reason', refusal);
      setText(why, refusal ? (t.refusalWhy[refusal] ?? '') : '');
      document.body.classList.toggle('is-refused', refusal !== null);
    },
  };
}
