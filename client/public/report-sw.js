// The report page's service worker: the page opens and queues reports with no signal at all.
// Registered by src/report/main.ts with the scope /report. The page itself (/report) is asked from the
// network first and kept; the files it names (/assets/*, hashed, never changing under their name) are
// kept when the page is, and served from the cache first. /graphql is never touched: a report that
// cannot be sent waits in the page's own queue, under its own idempotency key.
const CACHE = 'fangkong-report-v1';
const PAGE = '/report';

/** The /assets/ files a page names (its module script, module preloads and stylesheets). */
function assetsOf(html) {
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]))];
}

/** Fetches the page and keeps it with every file it names, so the next start needs no network. */
async function keepPage(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  await cache.put(PAGE, response);
  const named = assetsOf(html);
  const missing = [];
  for (const asset of named) if (!(await cache.match(asset))) missing.push(asset);
  await cache.addAll(missing);
  // Files of an earlier release the page no longer names are let go.
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !named.includes(path)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const response = await fetch(PAGE, { cache: 'no-cache' });
      if (response.ok) await keepPage(response);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('fangkong-report-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && (url.pathname === '/report' || url.pathname === '/report/')) {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok) event.waitUntil(keepPage(response.clone()).catch(() => undefined));
          return response;
        } catch (error) {
          const cached = await caches.match(PAGE);
          if (cached) return cached;
          throw error;
        }
      })(),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(
      (async () => {
        const cached = await caches.match(url.pathname);
        if (cached) return cached;
        const response = await fetch(request);
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(url.pathname, copy)));
        }
        return response;
      })(),
    );
  }
});
