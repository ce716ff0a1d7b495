// The printable card sheet of a compound (/gate/cards?compound=<slug>): one card per pass, with its QR
// code (drawn here by `qrcode`, offline) and its code in groups of four for typing. Community staff
// and admins only: the sheet holds names, rooms and the codes themselves.
import '../ui/base.css';
import './gate.css';
import QRCode from 'qrcode';
import { readToken, takeTokenFromUrl } from '../auth/token.ts';
import { nameIn, pickLang } from '../i18n/messages.ts';
import { h } from '../ui/dom.ts';
import type { ResultOf } from '../graphql/graphql.ts';
import { createFangkongClient } from '../urql/client.ts';
import { gateMessages } from './messages.ts';
import { GatePassCardsQuery } from './operations.ts';

const lang = pickLang(location.search);
const t = gateMessages[lang];
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
const storage = window.localStorage;
takeTokenFromUrl({ location, history, storage });
const client = createFangkongClient({ token: () => readToken(storage) });
const compound = new URLSearchParams(location.search).get('compound') ?? '';
const sheet = h('main', { class: 'card-sheet', 'data-testid': 'sheet' });
document.body.replaceChildren(sheet);

type Page = NonNullable<ResultOf<typeof GatePassCardsQuery>>;

/** Every page of the compound's households (the read budget bounds one page). */
async function households(): Promise<{ area: Page['node']; edges: Page['gateHouseholds']['edges'] } | string> {
  const edges: Page['gateHouseholds']['edges'] = [];
  let after: string | null = null;
  for (;;) {
    const result = await client.query(GatePassCardsQuery, { compoundId: btoa(`Area:${compound}`), after }).toPromise();
    if (!result.data) return result.error?.graphQLErrors[0]?.message ?? result.error?.message ?? 'error';
    edges.push(...result.data.gateHouseholds.edges);
    after = result.data.gateHouseholds.pageInfo.endCursor ?? null;
    if (!result.data.gateHouseholds.pageInfo.hasNextPage) return { area: result.data.node, edges };
  }
}

async function render(): Promise<void> {
  const read = await households();
  if (typeof read === 'string') {
    sheet.replaceChildren(h('p', { class: 'error', 'data-testid': 'error', text: read }));
    return;
  }
  const area = read.area && 'name' in read.area ? nameIn(lang, read.area as { name: string; nameEn: string }) : compound;
  document.title = `${t.cardsTitle} · ${area}`;
  const cards = [];
  for (const { node: household } of read.edges) {
    for (const pass of household.passes) {
      if (pass.status === 'REVOKED') continue;
      // The QR code holds the canonical code (no separators): alphanumeric mode, the smallest symbol.
      const svg = await QRCode.toString(pass.code.replace(/-/g, ''), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      const qr = h('div', { class: 'qr' });
      qr.innerHTML = svg;
      cards.push(
        h(
          'article',
          { class: 'pass-card', 'data-pass': pass.id },
          h('header', {}, h('strong', { text: area }), h('span', { text: `${t.household} ${household.room}` })),
          qr,
          h('p', { class: 'holder', text: pass.holderName }),
          h('p', { class: 'code', 'data-testid': 'code', text: pass.code }),
        ),
      );
    }
  }
  sheet.replaceChildren(h('h1', { class: 'no-print', text: `${t.cardsTitle} · ${area}` }), h('div', { class: 'cards' }, ...cards));
  sheet.dataset.ready = String(cards.length);
}

void render();
