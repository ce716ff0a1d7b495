import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/** What GraphiQL opens on: the operations an analyst starts from, runnable as they are. */
export const graphiqlDefaultQuery = `# Fangkong — the zone's epidemic-response data. Pick an operation with the ▶ button.
# Days are reporting days in the zone's time zone (00:00–24:00). Seeded history covers 2020-01-27 … 2020-02-09.

query ZoneToday($day: Date) {
  zoneSummary(day: $day) {
    day
    checkpointTotals { vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections simulatedReports }
    byCheckpointKind { kind checkpoints counts { peopleScreened feverCases } }
    production { masks { produced passedQc ratedCapacity linesProducing } }
    peopleUnderIsolation
    stock { product { name nameEn } stock }
    asOf
    asOfSeq
  }
}

query CheckpointsWithToday {
  checkpoints(first: 50) {
    totalCount
    edges {
      node { id name nameEn kind lastReportAt isStale today { peopleScreened feverCases } area { name } }
    }
  }
}

query HourlyScreening {
  checkpointSeries(from: "2020-02-07T00:00:00+08:00", to: "2020-02-08T00:00:00+08:00", bucket: HOUR) {
    start
    counts { peopleScreened feverCases }
  }
}

query MaskLines {
  productionLines(first: 20) {
    edges {
      node { name nameEn status ratedDailyCapacity enterprise { name } outputOn(day: "2020-02-08") { produced passedQc } }
    }
  }
}

query WhoHasReported {
  reportingCompleteness(day: "2020-02-07", graceMinutes: 30) {
    figures { expected received receivedOnTime completeness onTime }
    areas(level: COMMUNITY) { area { name nameEn } sites sitesComplete figures { completeness onTime } }
    sites(first: 20, incompleteOnly: true) { kind name nameEn missingCount missing(first: 5) { start end } figures { completeness } }
  }
}

query ByCommunity {
  zoneSummary(day: "2020-02-07") {
    indicators { feverPer10kScreened { numerator denominator value } maskQcPassRate { numerator denominator value } }
    byArea(level: COMMUNITY) { area { name nameEn } checkpoints counts { peopleScreened feverCases } production { maskProduced } peopleUnderIsolation }
  }
}

query SixRequirementsOf9February {
  meetings(first: 5) {
    edges { node { title titleEn heldAt directives { ordinal text textEn } } }
  }
}
`;

/** The second tab: a live subscription, to see figures move as reports arrive. */
export const graphiqlLiveQuery = `# Live: the zone's figures for today, sent again whenever a report changes them.
# Run it with the ▶ button; report from the report page or the simulator and watch it move.

subscription LiveZone {
  zoneSummary {
    day
    checkpointTotals { peopleScreened feverCases vehiclesInspected }
    production { masks { produced } }
    asOfSeq
  }
}
`;

/** Where the page keeps the analyst's token (this browser only). */
const TOKEN_KEY = 'fangkong:token';

/**
 * Runs before GraphiQL: every request the page sends to this server carries the token the analyst
 * gave once (introspection, queries, and subscriptions, which GraphiQL sends over SSE with fetch),
 * unless the Headers tab names a token of its own. Without a token the page asks for one first,
 * instead of opening on an UNAUTHENTICATED error.
 */
const tokenPrelude = `<script>
(() => {
  const KEY = ${JSON.stringify(TOKEN_KEY)};
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const token = localStorage.getItem(KEY);
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (!token || url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
    if (!/^Bearer\\s+fk_/i.test(headers.get('authorization') || '')) headers.set('authorization', 'Bearer ' + token);
    return nativeFetch(input, { ...init, headers });
  };
  // Without a token GraphiQL is not started at all (it would introspect into a 401 and keep a
  // broken tab); the form below asks for one and reloads.
  let yoga;
  Object.defineProperty(window, 'YogaGraphiQL', {
    configurable: true,
    get: () => yoga,
    set: (value) => {
      yoga = new Proxy(value, { get: (target, key) => (key === 'renderYogaGraphiQL' && !localStorage.getItem(KEY) ? () => {} : target[key]) });
    },
  });
  // GraphiQL reopens the stored tab whose query, variables and headers equal the last ones it
  // stored on their own; name the active tab's, or every reload adds an empty tab and opens on it.
  try {
    const state = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
    const active = state && state.tabs && state.tabs[state.activeTabIndex];
    if (active) {
      for (const key of ['query', 'variables', 'headers']) {
        if (active[key] == null) localStorage.removeItem('graphiql:' + key);
        else localStorage.setItem('graphiql:' + key, active[key]);
      }
    }
  } catch {}
  const bar = (token) => {
    const form = document.createElement('form');
    form.id = 'fangkong-token';
    form.setAttribute('style', token
      ? 'position:fixed;z-index:10;right:12px;bottom:10px;font:13px system-ui;background:#fff8;padding:4px 8px;border-radius:6px'
      : 'position:fixed;z-index:10;inset:0;display:flex;flex-direction:column;gap:12px;align-items:center;justify-content:center;background:#f7f7f9;font:16px system-ui');
    form.innerHTML = token
      ? '令牌 token <code>' + token.slice(0, 7) + '…</code> <button type="button" id="fangkong-token-forget">更换 change</button>'
      : '<h1 style="font-size:22px;margin:0">Fangkong 防控 — GraphiQL</h1>' +
        '<label for="fangkong-token-input">粘贴您的 API 令牌 · Paste your API token</label>' +
        '<input id="fangkong-token-input" name="token" size="56" autocomplete="off" spellcheck="false" placeholder="fk_…" style="font:15px monospace;padding:6px">' +
        '<button type="submit" style="font-size:15px;padding:6px 18px">打开 Open</button>' +
        '<p style="color:#555;max-width:40em;text-align:center">An administrator creates one with <code>pnpm fangkong token create --role analyst</code>. ' +
        'It is kept in this browser only and sent with every request of this page.</p>' +
        '<p id="fangkong-token-error" role="alert" style="color:#b00020"></p>';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = form.token.value.trim().replace(/^Bearer\\s+/i, '');
      const answer = await nativeFetch(location.pathname, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + value },
        body: JSON.stringify({ query: '{ __typename }' }),
      }).catch(() => null);
      if (!answer || answer.status !== 200) {
        document.getElementById('fangkong-token-error').textContent = answer
          ? '令牌无效或已撤销 · The server refused this token (' + answer.status + ').'
          : '服务器无响应 · The server does not answer.';
        return;
      }
      localStorage.setItem(KEY, value);
      location.reload();
    });
    form.addEventListener('click', (event) => {
      if (event.target.id !== 'fangkong-token-forget') return;
      localStorage.removeItem(KEY);
      location.reload();
    });
    document.body.appendChild(form);
  };
  addEventListener('DOMContentLoaded', () => bar(localStorage.getItem(KEY)));
})();
</script>`;

/**
 * GraphiQL served whole from this server (scripts, styles and editor workers inlined by
 * @graphql-yoga/render-graphiql; nothing fetched from a CDN, so it opens on an intranet), with the
 * token prelude ahead of GraphiQL's own scripts.
 */
export function renderOfflineGraphiQL(options: GraphiQLOptions | undefined): string {
  // The page is ~9 MB of inlined scripts; Yoga asks for it on every visit with the same options.
  const cached = rendered.get(options ?? {});
  if (cached) return cached;
  const html = renderGraphiQL(options);
  const head = html.indexOf('<head>');
  if (head < 0) throw new Error('@graphql-yoga/render-graphiql rendered no <head>');
  const page = `${html.slice(0, head + '<head>'.length)}${tokenPrelude}${html.slice(head + '<head>'.length)}`;
  if (options) rendered.set(options, page);
  return page;
}

const rendered = new WeakMap<GraphiQLOptions, string>();
