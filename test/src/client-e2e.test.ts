import { builtClient, clientDist } from './support/client-build.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, imageStats, initialJsGzipBytes, launchChromium } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// The wall display (/) and the operator's report page (/report), built for production and driven in
// headless Chromium against the real server: a report typed on a phone moves the wall's totals by
// exactly its figures, a lost answer is retried with the same key and counted once, and a server
// restart shows as "stale" and then heals with the right totals.

const artifacts = join(repoRoot, 'test', 'artifacts');
const HOUR = 3_600_000;
const SHANGHAI = 8 * HOUR; // Asia/Shanghai has had no daylight saving since 1991
const TOTAL_KEYS = ['vehiclesInspected', 'peopleScreened', 'feverCases', 'referred', 'peopleUnderIsolation'] as const;
type Totals = Record<(typeof TOTAL_KEYS)[number], number>;

const CHECKPOINTS = [
  'yingbin-road-exit',
  'zhongyuan-road-exit',
  'fengshou-road',
  'linxigu-gate',
  'binhe-gate',
  'jinshan-gate',
  'baida-supermarket',
  'lubao-market',
];
const MASK_LINES = [
  ['yizhonghong-line-1', 50_000],
  ['yizhonghong-line-2', 50_000],
  ['yizhonghong-line-3', 50_000],
  ['mingren-mingkang-line-1', 80_000],
] as const;

const run = browserAvailable();

describe.skipIf(!run)('wall display and report page in Chromium', () => {
  const data = tempDir('fangkong-client-e2e-');
  let env: NodeJS.ProcessEnv;
  let api: RunningServer;
  let port: number;
  let origin: string;
  let browser: Browser;
  let displayToken: string;
  let operatorToken: string;
  let wallContext: BrowserContext;
  let phoneContext: BrowserContext;
  let wall: Page;
  let phone: Page;
  let elements: Record<string, number> = {};
  // The page's elements by tag and panel, leaving out the alerts strip: alerts come and go on their
  // own (the evaluator raises one for a site that falls silent while the test runs), the rest must
  // not grow. Counted per kind, so a failure names what grew (classes change with the figures).
  const countElements = (page: Page) =>
    page.evaluate(() => {
      const document = (globalThis as any).document;
      const alerts = document.querySelector('[data-testid=alerts]');
      const counts: Record<string, number> = {};
      for (const element of document.getElementsByTagName('*') as any) {
        if (alerts?.contains(element)) continue;
        const panel = element.closest('section, header, [data-testid]');
        const where = panel ? (panel.getAttribute('data-testid') ?? (panel.getAttribute('class') ?? '').split(' ')[0]) : 'page';
        const kind = `${element.tagName.toLowerCase()} in ${where}`;
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
      return counts;
    });

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await builtClient();

    env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: clientDist };
    api = await startServer(env);
    port = Number(new URL(api.url).port);
    displayToken = await createToken(env, 'display', [], 'wall display e2e');
    operatorToken = await createToken(env, 'operator', ['fengshou-road'], 'fengshou operator e2e');
    await seedYesterdayAndToday(api.graphqlUrl);

    // The server serves client/dist itself (FANGKONG_CLIENT_DIST): pages, assets and /graphql
    // share one origin, which goes away and comes back with the server.
    origin = api.url;

    browser = await launchChromium();
    wallContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    wall = await wallContext.newPage();
    phone = await phoneContext.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    data.remove();
  });

  it('serves the pages and assets with the right types, caching and no way out of dist', async () => {
    const home = await fetch(`${origin}/`);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('cache-control')).toBe('no-cache');
    const html = await home.text();
    const report = await fetch(`${origin}/report`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('src="/assets/report-');

    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    for (const path of ['/../package.json', '/assets/..%2F..%2Fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/%00.js', '/.vite/manifest.json', '/assets/missing.js']) {
      expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
    }

    const size = initialJsGzipBytes(clientDist, 'index.html');
    const reportSize = initialJsGzipBytes(clientDist, 'report.html');
    writeFileSync(join(artifacts, 'bundle-size.json'), JSON.stringify({ wall: size, report: reportSize }, null, 2));
    console.info(`initial JS, gzip: wall display ${(size.gzipBytes / 1024).toFixed(1)} KiB (${size.files.length} files), report page ${(reportSize.gzipBytes / 1024).toFixed(1)} KiB`);
    expect(size.gzipBytes).toBeLessThan(400 * 1024);
  });

  it('takes the token from the address once and shows live figures', async () => {
    await wall.goto(`${origin}/?token=${displayToken}`);
    await wall.waitForFunction(() => (globalThis as any).document.body.dataset.ready === 'true' && (globalThis as any).document.body.dataset.connection === 'live', null, { timeout: 20_000 });
    expect(new URL(wall.url()).searchParams.has('token')).toBe(false);
    expect(await wall.evaluate(() => (globalThis as any).localStorage.getItem('fangkong.token'))).toBe(displayToken);

    const server = await zoneTotals(api.graphqlUrl);
    await waitForTotals(wall, server, 5_000);
    await expect.poll(() => wall.locator('[data-testid=ranking] li').count()).toBe(CHECKPOINTS.length);
    await expect.poll(() => wall.locator('[data-testid=simulated]').isVisible()).toBe(true);
    await expect.poll(() => wall.locator('[data-testid=production] [data-line]').count()).toBe(MASK_LINES.length);
    expect(await wall.locator('[data-testid=clock]').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it('moves the totals by exactly what an operator reports on /report, within 2 s', async () => {
    const before = await readTotals(wall);
    const rankBefore = await rankValue(wall, 'fengshou-road');

    await phone.goto(`${origin}/report`);
    // A wrong token is refused in words and not kept: the page asks for it again.
    await phone.fill('input[name=token]', 'fk_not-a-token-this-server-made-000000000000000');
    await phone.press('input[name=token]', 'Enter');
    await phone.waitForSelector('[data-testid=token-error]', { state: 'visible', timeout: 10_000 });
    expect(await phone.textContent('[data-testid=token-error]')).toMatch(/服务器拒绝了这个令牌（UNAUTHENTICATED）。令牌未保存/);
    expect(await phone.isVisible('[data-testid=token-saved]')).toBe(false);
    expect(await phone.evaluate(() => (globalThis as any).localStorage.getItem('fangkong.token'))).toBeNull();

    await phone.fill('input[name=token]', operatorToken);
    await phone.press('input[name=token]', 'Enter');
    await expect.poll(() => phone.locator('[data-testid=token-saved]').isVisible()).toBe(true);
    const checkpointId = globalId('Checkpoint', REPORTED_ON_PAGE);
    await phone.waitForSelector(`#target option[value="${checkpointId}"]`, { state: 'attached' });
    // Who is signed in, and only the site this operator may report for (not every site, to fail on submit).
    await expect.poll(() => phone.textContent('[data-testid=token-saved]')).toMatch(/fengshou operator e2e（上报员），可上报 1 个站点/);
    expect(await phone.locator('#target option').evaluateAll((options) => options.map((o: any) => o.value).filter(Boolean))).toEqual([checkpointId]);
    await phone.selectOption('#target', checkpointId);
    await choosePeriodWithinToday(phone, 0);
    const figures = { vehiclesInspected: 7, peopleScreened: 41, feverCases: 2, hubeiLinked: 1, referred: 1, disinfections: 3 };
    for (const [field, value] of Object.entries(figures)) await phone.fill(`input[name=${field}]`, String(value));
    await screenshot(phone, 'report-page-form.png', { fullPage: true });

    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=result]', { state: 'visible', timeout: 10_000 });
    const answered = Date.now();
    expect(await phone.getAttribute('[data-testid=duplicate]', 'data-duplicate')).toBe('false');
    // The figures shown are the stored report, read back from the server (an operator may read its own).
    expect(await phone.getAttribute('[data-testid=result] dl.stored', 'data-source')).toBe('server');
    for (const [field, value] of Object.entries(figures)) {
      expect(await phone.getAttribute(`[data-testid=result] dd[data-field=${field}]`, 'data-value'), field).toBe(String(value));
    }

    await waitForTotals(
      wall,
      {
        ...before,
        vehiclesInspected: before.vehiclesInspected + figures.vehiclesInspected,
        peopleScreened: before.peopleScreened + figures.peopleScreened,
        feverCases: before.feverCases + figures.feverCases,
        referred: before.referred + figures.referred,
      },
      2_000,
    );
    expect(Date.now() - answered).toBeLessThan(2_000);
    await expect.poll(() => rankValue(wall, 'fengshou-road')).toBe(rankBefore + figures.peopleScreened);
    await wall.waitForTimeout(1_500); // let the counters land and the chart refetch before the picture
    await screenshot(wall, 'wall-display.png');
    await screenshot(phone, 'report-page.png', { fullPage: true });
  });

  it('retries a report whose answer was lost with the same key, and it counts once', async () => {
    const before = await readTotals(wall);
    await phone.click('[data-testid=new-report]');
    // The period the first report holds is refused, saying so by the period fields; nothing counts.
    await choosePeriodWithinToday(phone, 0);
    // Blank is not zero: with only one figure typed nothing is sent, and each blank one says so.
    const sent: string[] = [];
    const countSent = (request: { postData(): string | null }) => {
      if ((request.postData() ?? '').includes('reportCheckpointCounts')) sent.push(request.postData()!);
    };
    phone.on('request', countSent);
    await phone.fill('input[name=peopleScreened]', '5');
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-error-for=vehiclesInspected]', { state: 'visible', timeout: 5_000 });
    expect(await phone.textContent('[data-error-for=disinfections]')).toBe('请填写数字；没有则填 0');
    expect(await phone.isVisible('[data-error-for=peopleScreened]')).toBe(false);
    // "Nothing to report" with a figure above 0 is a contradiction, also refused on the page.
    await phone.check('#nothingToReport');
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-error-for=peopleScreened]', { state: 'visible', timeout: 5_000 });
    await phone.uncheck('#nothingToReport');
    expect(sent).toEqual([]);
    phone.off('request', countSent);
    for (const field of ['vehiclesInspected', 'feverCases', 'hubeiLinked', 'referred', 'disinfections']) await phone.fill(`input[name=${field}]`, '0');
    await phone.click('[data-testid=submit]');
    await phone.click('[data-testid=confirm-send]'); // the zeros are questioned first
    await phone.waitForSelector('[data-testid=form-error][data-code=OVERLAPPING_REPORT]', { state: 'visible', timeout: 10_000 });
    expect(await phone.textContent('[data-testid=form-error]')).toMatch(/该时段与已计入统计的报告（.+）重叠，本次未计入/);
    expect(await phone.isVisible('[data-error-for=periodStart]')).toBe(true);
    expect((await readTotals(wall)).peopleScreened).toBe(before.peopleScreened);

    await choosePeriodWithinToday(phone, 1);

    const keys: string[] = [];
    phone.on('request', (request) => {
      const body = request.postData() ?? '';
      if (body.includes('reportCheckpointCounts')) keys.push(JSON.parse(body).variables.input.idempotencyKey);
    });
    let lost = false;
    await phone.route('**/graphql', async (route) => {
      if (!lost && (route.request().postData() ?? '').includes('reportCheckpointCounts')) {
        lost = true;
        await route.fetch(); // the server stores the report…
        return route.abort('connectionreset'); // …but its answer never reaches the phone
      }
      return route.continue();
    });
    try {
      await phone.click('[data-testid=submit]');
      await phone.click('[data-testid=confirm-send]');
      await phone.waitForSelector('[data-testid=status][data-state=retrying]', { timeout: 5_000 });
      await phone.waitForSelector('[data-testid=result]', { state: 'visible', timeout: 20_000 });
    } finally {
      await phone.unrouteAll();
    }
    expect(await phone.getAttribute('[data-testid=duplicate]', 'data-duplicate')).toBe('true');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(await phone.getAttribute('[data-testid=idempotency-key]', 'data-key')).toBe(keys[0]);

    await waitForTotals(wall, { ...before, peopleScreened: before.peopleScreened + 5 }, 2_000);
    await wall.waitForTimeout(1_000);
    expect((await readTotals(wall)).peopleScreened).toBe(before.peopleScreened + 5); // and not + 10
    // What the page holds after updates; the next case cuts and restores its connection.
    elements = await countElements(wall);
  });

  it('shows "stale since" while the server is down and recovers with the right totals after a restart', async () => {
    await api.stop();
    await wall.waitForFunction(() => (globalThis as any).document.body.dataset.connection === 'reconnecting', null, { timeout: 15_000 });
    const stale = wall.locator('[data-testid=stale]');
    await expect.poll(() => stale.isVisible()).toBe(true);
    expect(await stale.textContent()).toMatch(/自 \d\d:\d\d/);
    await screenshot(wall, 'wall-display-stale.png');

    api = await startServer({ ...env, PORT: String(port) });
    expect(api.url).toBe(`http://127.0.0.1:${port}`);
    // A report made while the display is still reconnecting must show once it is back.
    const reported = await graphql(api.graphqlUrl, REPORT_CHECKPOINT, {
      input: { checkpointId: globalId('Checkpoint', 'lubao-market'), ...lastFullHourUtc(), peopleScreened: 9, vehiclesInspected: 4, idempotencyKey: crypto.randomUUID() },
    });
    expect(reported.data?.reportCheckpointCounts.__typename).toBe('CheckpointReportPayload');

    await wall.waitForFunction(() => (globalThis as any).document.body.dataset.connection === 'live', null, { timeout: 45_000 });
    await waitForTotals(wall, await zoneTotals(api.graphqlUrl), 5_000);
    await expect.poll(() => stale.isVisible()).toBe(false);
    // A cut, a reconnection and more updates later, the page holds exactly the elements it had.
    expect(await countElements(wall)).toEqual(elements);
  });

  it('reads in English with ?lang=en and stays usable on a smaller screen', async () => {
    const english = await wallContext.newPage();
    await english.goto(`${origin}/?lang=en`);
    await english.waitForFunction(() => (globalThis as any).document.body.dataset.ready === 'true', null, { timeout: 20_000 });
    expect(await english.locator('.zone-name').textContent()).toContain('Demonstration Zone');
    await english.waitForTimeout(1_500);
    await screenshot(english, 'wall-display-en.png');
    await english.setViewportSize({ width: 1280, height: 800 });
    await english.waitForTimeout(800);
    await screenshot(english, 'wall-display-1280.png', { fullPage: true });
    await english.close();
  });

  /** Saves a screenshot into test/artifacts and checks it shows something (not one flat colour). */
  async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
    const png = await page.screenshot({ path: join(artifacts, name), ...options });
    const stats = await imageStats(browser, png);
    expect(stats.distinctColors, `${name} looks blank`).toBeGreaterThan(64);
    expect(stats.luminanceStdDev, `${name} looks blank`).toBeGreaterThan(8);
  }
});

async function readTotals(page: Page): Promise<Totals> {
  return page.evaluate((keys) => {
    const out: Record<string, number> = {};
    for (const key of keys) out[key] = Number((globalThis as any).document.querySelector(`[data-testid="total-${key}"]`)?.getAttribute('data-value'));
    return out;
  }, [...TOTAL_KEYS]) as Promise<Totals>;
}

async function waitForTotals(page: Page, expected: Totals, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(
      ({ keys, expected }) =>
        keys.every((key) => Number((globalThis as any).document.querySelector(`[data-testid="total-${key}"]`)?.getAttribute('data-value')) === expected[key as keyof typeof expected]),
      { keys: [...TOTAL_KEYS], expected },
      { timeout: timeoutMs },
    );
  } catch (error) {
    throw new Error(`display totals ${JSON.stringify(await readTotals(page))} did not become ${JSON.stringify(expected)} within ${timeoutMs} ms`, { cause: error });
  }
}

async function rankValue(page: Page, checkpoint: string): Promise<number> {
  const id = globalId('Checkpoint', checkpoint);
  return Number(await page.getAttribute(`[data-checkpoint="${id}"] .rank-value`, 'data-value'));
}

async function zoneTotals(graphqlUrl: string): Promise<Totals> {
  const result = await graphql(graphqlUrl, `{ zoneSummary { checkpointTotals { vehiclesInspected peopleScreened feverCases referred } peopleUnderIsolation } }`);
  const z = result.data!.zoneSummary;
  return { ...z.checkpointTotals, peopleUnderIsolation: z.peopleUnderIsolation };
}

/** Start of the local (Asia/Shanghai) day containing `ms`. */
const localMidnight = (ms: number) => Math.floor((ms + SHANGHAI) / (24 * HOUR)) * 24 * HOUR - SHANGHAI;

function lastFullHourUtc(): { periodStart: string; periodEnd: string } {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  return { periodStart: new Date(end - HOUR).toISOString(), periodEnd: new Date(end).toISOString() };
}

/** The checkpoint the report page reports on: the seed leaves its last full hour free. */
const REPORTED_ON_PAGE = 'fengshou-road';
const MINUTE = 60_000;

/**
 * A period of its own for the page's n-th report: the first or second twenty minutes of the last full
 * hour (a checkpoint's current reports may not overlap, so two reports need two periods). In the
 * first hour of the local day that hour belongs to yesterday, and today's totals would not move:
 * then the first or second half of today's minutes so far.
 */
async function choosePeriodWithinToday(page: Page, n: 0 | 1): Promise<void> {
  let now = Date.now();
  let start: number;
  let end: number;
  if (now - localMidnight(now) >= HOUR) {
    start = Math.floor(now / HOUR) * HOUR - HOUR + n * 20 * MINUTE;
    end = start + 20 * MINUTE;
  } else {
    if (now - localMidnight(now) < 130_000) {
      await page.waitForTimeout(130_000 - (now - localMidnight(now)));
      now = Date.now();
    }
    const midnight = localMidnight(now);
    const minutes = Math.floor((now - midnight) / MINUTE);
    const half = Math.floor(minutes / 2);
    start = midnight + (n === 0 ? 0 : half) * MINUTE;
    end = midnight + (n === 0 ? half : minutes) * MINUTE;
  }
  const local = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 16);
  await page.fill('#periodStart', local(start));
  await page.fill('#periodEnd', local(end));
}

/**
 * Simulated figures for yesterday and today up to the last full hour, so the display has a day to
 * show: every checkpoint and mask line, hour by hour, with a daytime rhythm. Marked SIMULATED, as
 * the display must then say.
 */
async function seedYesterdayAndToday(graphqlUrl: string): Promise<void> {
  const now = Date.now();
  const from = localMidnight(now) - 24 * HOUR;
  const until = Math.floor(now / HOUR) * HOUR;
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const rhythm = (hour: number) => 0.12 + Math.exp(-((hour - 9.5) ** 2) / 6) + 0.8 * Math.exp(-((hour - 17) ** 2) / 5);
  const scale = [260, 190, 140, 70, 45, 55, 95, 120];
  for (let start = from; start < until; start += HOUR) {
    const hour = new Date(start + SHANGHAI).getUTCHours();
    const period = `periodStart: "${new Date(start).toISOString()}", periodEnd: "${new Date(start + HOUR).toISOString()}", source: SIMULATED`;
    // The last full hour stays free where the page and the restart test report.
    const free = start === until - HOUR ? [REPORTED_ON_PAGE, 'lubao-market'] : [];
    const parts = CHECKPOINTS.flatMap((checkpoint, i) => {
      if (free.includes(checkpoint)) return [];
      const people = Math.round(scale[i]! * rhythm(hour) * (0.85 + 0.3 * random()));
      const fever = random() < 0.05 ? 1 : 0;
      return [`c${i}: reportCheckpointCounts(input: { checkpointId: "${globalId('Checkpoint', checkpoint)}", ${period}, peopleScreened: ${people}, vehiclesInspected: ${Math.round(people * 0.45)}, feverCases: ${fever}, hubeiLinked: ${random() < 0.1 ? 1 : 0}, referred: ${fever}, disinfections: ${Math.round(random() * 4)}, idempotencyKey: "seed-${checkpoint}-${start}" }) { __typename ... on Error { message } }`];
    });
    MASK_LINES.forEach(([line, capacity], i) => {
      const produced = Math.round((capacity / 24) * (0.78 + 0.2 * random()));
      parts.push(
        `l${i}: reportProductionOutput(input: { lineId: "${globalId('ProductionLine', line)}", ${period}, produced: ${produced}, passedQc: ${Math.round(produced * 0.975)}, idempotencyKey: "seed-${line}-${start}" }) { __typename ... on Error { message } }`,
      );
    });
    const result = await graphql(graphqlUrl, `mutation { ${parts.join('\n')} }`);
    const failures = Object.values(result.data ?? {}).filter((r: any) => !String(r.__typename).endsWith('Payload'));
    if (result.errors || failures.length) throw new Error(`seeding failed: ${JSON.stringify(result.errors ?? failures)}`);
  }
}
