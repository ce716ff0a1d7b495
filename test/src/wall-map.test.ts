import { builtClient } from './support/client-build.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, openRecordedWall } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// Supplies against need, isolation as counts, the alerts strip's as-of, the schematic map and the
// three-screen wall (issue 16), in headless Chromium against a started server on a demo clock
// pinned to 10 February 2020 10:00 in the zone (so it passes at any hour). What the wall shows is
// checked against what the API gives; screenshots at every size land in test/artifacts/.

const artifacts = join(repoRoot, 'test', 'artifacts');
const CLOCK_START = '2020-02-10T10:00:00+08:00';
const TIME_ZONE = 'Asia/Shanghai';
const at = (local: string) => new Date(`2020-02-${local}+08:00`).toISOString();
const localClock = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));

const STOCK = `{ zoneSummary { stock { product { slug } stock safetyLevel belowSafetyLevel day { produced toCity toZone } } } }`;
const ISOLATION = `{ zoneSummary { isolation { underIsolation startedOnDay endedOnDay byCommunity { community { id } underIsolation startedOnDay endedOnDay } } } }`;

describe.skipIf(!browserAvailable())('the wall’s supplies, isolation, map and three screens', () => {
  const data = tempDir('fangkong-wall-map-');
  let server: RunningServer;
  let browser: Browser;
  let displayToken: string;

  const ok = async (query: string, variables: Record<string, unknown>, field: string, typename: string) => {
    const response = await graphql(server.graphqlUrl, query, variables);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.data![field].__typename, JSON.stringify(response.data)).toBe(typename);
    return response.data![field];
  };
  const reportCounts = (checkpoint: string, periodStart: string, periodEnd: string, feverCases = 0) =>
    ok(REPORT_CHECKPOINT, { input: { checkpointId: globalId('Checkpoint', checkpoint), periodStart, periodEnd, vehiclesInspected: 3, peopleScreened: 80, feverCases, idempotencyKey: randomUUID() } }, 'reportCheckpointCounts', 'CheckpointReportPayload');
  const reportOutput = (line: string, periodStart: string, periodEnd: string, produced: number) =>
    ok(
      `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on Error { code message } } }`,
      { input: { lineId: globalId('ProductionLine', line), periodStart, periodEnd, produced, passedQc: produced, idempotencyKey: randomUUID() } },
      'reportProductionOutput',
      'OutputReportPayload',
    );
  const allocate = (quantity: number, destination: string, extra = '') =>
    ok(
      `mutation($key: String!) { allocateSupplies(input: { productId: "${globalId('Product', 'medical-mask')}", quantity: ${quantity}, source: STOCK, destination: ${destination}${extra}, idempotencyKey: $key }) { __typename ... on Error { code message } } }`,
      { key: randomUUID() },
      'allocateSupplies',
      'AllocationPayload',
    );

  /** Opens the wall and waits for its figures, keeping every value the server sent it (their own asOf). */
  const openWall = async (width: number, height: number, lang: 'zh' | 'en', query = '') => {
    const wall = await openRecordedWall(browser, `${server.url}/?token=${displayToken}${query}`, { width, height, lang });
    await wall.page.waitForFunction(() => (globalThis as any).document.body.dataset.ready === 'true', null, { timeout: 15_000 });
    return wall;
  };

  /** Elements whose text or content is cut off, and panels reaching past the window (or, on three screens, across a bezel). */
  const layoutProblems = (page: Page, paneWidth: number | null) =>
    page.evaluate((pane) => {
      const doc = (globalThis as any).document;
      const win = globalThis as any;
      const problems: string[] = [];
      const visible = (el: any) => el.offsetParent !== null && el.getClientRects().length > 0;
      for (const el of doc.querySelectorAll('.panel, .kpi, .alerts-strip, .completeness-panel, .wall-header')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        const name = `${el.className.split(' ').slice(0, 2).join('.')}`;
        if (r.right > win.innerWidth + 1 || r.left < -1) problems.push(`${name} outside the window (${Math.round(r.left)}–${Math.round(r.right)})`);
        if (pane && Math.floor(r.left / pane) !== Math.floor((r.right - 1) / pane)) problems.push(`${name} across a bezel (${Math.round(r.left)}–${Math.round(r.right)})`);
      }
      // Text that should be read whole: stock words and figures, map legend, isolation rows, KPI figures.
      for (const el of doc.querySelectorAll('.stock-figure, .stock-word, .stock-need, .stock-flow, .map-legend-item, .kpi-figure, .panel-title, .iso-table')) {
        if (!visible(el)) continue;
        if (el.scrollWidth > el.clientWidth + 1) problems.push(`${el.className} cut off (${el.scrollWidth} > ${el.clientWidth}): ${el.textContent.slice(0, 40)}`);
      }
      for (const el of doc.querySelectorAll('.alerts-strip, .completeness-panel, .panel')) {
        if (visible(el) && el.getBoundingClientRect().width < 200) problems.push(`${el.className} squeezed to ${Math.round(el.getBoundingClientRect().width)} px`);
      }
      for (const el of doc.querySelectorAll('.stock-tile, .iso-panel, .panel-map')) {
        if (!visible(el)) continue;
        if (el.scrollHeight > el.clientHeight + 1) problems.push(`${el.className} taller than its box (${el.scrollHeight} > ${el.clientHeight})`);
      }
      return problems;
    }, paneWidth);

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: await builtClient(), FANGKONG_CLOCK_START: CLOCK_START, FANGKONG_ALERT_SWEEP_MS: '1000' };
    server = await startServer(env);
    displayToken = await createToken(env, 'display', [], 'wall map e2e');
    // Supplies: masks well above their level, medicine below its level, the rest at 0.
    await reportOutput('mingren-mingkang-line-1', at('10T08:00:00'), at('10T09:00:00'), 5000);
    await reportOutput('pingguang-line-1', at('10T08:00:00'), at('10T09:00:00'), 600);
    await allocate(1000, 'CITY');
    await allocate(400, 'CHECKPOINT', `, destinationCheckpointId: "${globalId('Checkpoint', 'fengshou-road')}"`);
    // Sites: a fever case at an expressway exit (an alert), one site on time, the others late.
    await reportCounts('yingbin-road-exit', at('10T09:00:00'), at('10T09:30:00'), 1);
    await reportCounts('fengshou-road', at('10T09:00:00'), at('10T09:50:00'));
    // Isolation: one begun yesterday, one begun today, one ended today.
    const OPEN = `mutation($compound: ID!, $startedAt: DateTime!) { openIsolationCase(compoundId: $compound, personName: "李某", phone: "139 0391 0202", reason: "返焦", startedAt: $startedAt) {
      __typename ... on IsolationCasePayload { isolationCase { id } } ... on Error { code message } } }`;
    await ok(OPEN, { compound: globalId('Area', 'changlv-linxigu'), startedAt: at('09T09:00:00') }, 'openIsolationCase', 'IsolationCasePayload');
    await ok(OPEN, { compound: globalId('Area', 'baida-jiayuan'), startedAt: at('10T08:00:00') }, 'openIsolationCase', 'IsolationCasePayload');
    const ended = await ok(OPEN, { compound: globalId('Area', 'hpu-binhe'), startedAt: at('07T08:00:00') }, 'openIsolationCase', 'IsolationCasePayload');
    await ok(`mutation($id: ID!) { closeIsolationCase(caseId: $id, outcome: RELEASED, endedAt: "${at('10T09:00:00')}") { __typename ... on Error { code message } } }`, { id: ended.isolationCase.id }, 'closeIsolationCase', 'IsolationCasePayload');
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('shows each product’s stock against its safety level, with today’s flows city ↔ zone, isolation begun and ended today, and when the alerts were read, as the API gives them', async () => {
    const stock = (await graphql(server.graphqlUrl, STOCK)).data!.zoneSummary.stock as any[];
    const bySlug = Object.fromEntries(stock.map((s) => [s.product.slug, s]));
    expect(bySlug['medical-mask']).toMatchObject({ stock: 3600, safetyLevel: 2000, belowSafetyLevel: false, day: { produced: 5000, toCity: 1000, toZone: 400 } });
    expect(bySlug.medicine).toMatchObject({ stock: 600, safetyLevel: 1000, belowSafetyLevel: true });
    expect(bySlug['n95-mask']).toMatchObject({ stock: 0 });
    const isolation = (await graphql(server.graphqlUrl, ISOLATION)).data!.zoneSummary.isolation;
    expect(isolation).toMatchObject({ underIsolation: 2, startedOnDay: 1, endedOnDay: 1 });

    for (const lang of ['zh', 'en'] as const) {
      const wall = await openWall(1920, 1080, lang);
      try {
        const { page } = wall;
        const tile = (slug: string) => page.locator(`.stock-tile[data-product="${globalId('Product', slug)}"]`);
        await tile('medicine').waitFor({ timeout: 10_000 });
        for (const s of stock) {
          const level = s.stock <= 0 ? 'out' : s.belowSafetyLevel ? 'low' : 'ok';
          await expect.poll(() => tile(s.product.slug).getAttribute('data-level'), { timeout: 5000 }).toBe(level);
          expect(await tile(s.product.slug).getAttribute('data-safety-level')).toBe(String(s.safetyLevel));
          expect(JSON.parse((await tile(s.product.slug).locator('[data-testid=stock-flows]').getAttribute('data-flows'))!)).toEqual(s.day);
          expect(await tile(s.product.slug).locator('[data-testid=stock-low]').isVisible()).toBe(level === 'low');
          expect(await tile(s.product.slug).locator('[data-testid=stock-out]').isVisible()).toBe(level === 'out');
        }
        expect(await tile('medicine').locator('[data-testid=stock-low]').textContent()).toBe(lang === 'zh' ? '库存偏低' : 'Low');
        expect(await tile('n95-mask').locator('[data-testid=stock-out]').textContent()).toBe(lang === 'zh' ? '缺货' : 'Out');
        expect(await tile('medical-mask').locator('[data-testid=stock-safety]').textContent()).toBe('2,000');
        expect(await tile('food').locator('[data-testid=stock-safety]').textContent()).toBe(lang === 'zh' ? '未设' : 'none');
        expect(await tile('medical-mask').locator('[data-testid=stock-flows] > *').allTextContents()).toEqual(['+5,000', '−1,000', '−400']);
        expect(await page.locator('.stock-head > *').allTextContents()).toEqual(
          lang === 'zh' ? ['物资', '库存', '安全库存', '今日产入', '调往市里', '区内调拨'] : ['Product', 'Stock', 'Safety level', 'Made', 'To city', 'In zone'],
        );

        const today = page.locator('[data-testid=total-isolation-today]');
        await expect.poll(() => today.getAttribute('data-started'), { timeout: 5000 }).toBe(String(isolation.startedOnDay));
        expect(await today.getAttribute('data-ended')).toBe(String(isolation.endedOnDay));
        expect(await today.textContent()).toBe(lang === 'zh' ? '今日新增 1 · 解除 1' : 'today +1 · ended 1');

        // The alerts strip says when its alerts were read: the server's asOf of the newest update, in the zone's time.
        const alertsAsOf = () => wall.received.filter((d) => d.alerts).map((d) => d.alerts.asOf as string).sort().at(-1);
        await expect.poll(() => alertsAsOf(), { timeout: 10_000 }).toBeTruthy();
        await expect
          .poll(async () => (await page.locator('[data-testid=as-of-alerts]').textContent()) === (lang === 'zh' ? `数据截至 ${localClock(alertsAsOf()!)}` : `as of ${localClock(alertsAsOf()!)}`), { timeout: 10_000 })
          .toBe(true);
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(artifacts, `wall-supplies-1920x1080-${lang}.png`) });
        expect((await layoutProblems(page, null)).join('\n')).toBe('');
      } finally {
        await wall.close();
      }
    }
  });

  it('draws the zone as a schematic map with every checkpoint coloured by its state, and counts isolation per community on the command-work view', async () => {
    const read = () =>
      graphql(server.graphqlUrl, `{ checkpoints(first: 500) { edges { node { id slug isStale status } } } alerts(first: 500, status: [OPEN, ACKNOWLEDGED]) { edges { node { subjectType subjectId } } } }`);
    // The fever case's alert is raised beside the write, by the evaluator.
    await expect.poll(async () => JSON.stringify((await read()).data?.alerts.edges ?? []), { timeout: 10_000 }).toContain(globalId('Checkpoint', 'yingbin-road-exit'));
    const api = await read();
    expect(api.errors).toBeUndefined();
    const alerted = new Set((api.data!.alerts.edges as any[]).filter((e) => e.node.subjectType === 'Checkpoint').map((e) => e.node.subjectId));
    const expected = Object.fromEntries(
      (api.data!.checkpoints.edges as any[]).map(({ node }) => [node.slug, node.status !== 'ACTIVE' ? 'closed' : alerted.has(node.id) ? 'alert' : node.isStale ? 'late' : 'reporting']),
    );
    expect(expected['yingbin-road-exit']).toBe('alert');
    expect(expected['fengshou-road']).toBe('reporting');
    expect(expected['lubao-market']).toBe('late');

    for (const lang of ['zh', 'en'] as const) {
      const wall = await openWall(1920, 1080, lang, '&view=checkpoints');
      try {
        const { page } = wall;
        await page.locator('[data-testid=map]').waitFor({ state: 'visible', timeout: 10_000 });
        await expect
          .poll(async () => Object.fromEntries(await page.locator('[data-testid=map-site]').evaluateAll((els) => els.map((el: any) => [el.dataset.site, el.dataset.state]))), { timeout: 10_000 })
          .toEqual(expected);
        // Areas are drawn from the server's names; the legend in the page's language, counting each state.
        await expect.poll(() => page.locator('.map-area[data-area="zhulinlu"] .map-area-name').textContent(), { timeout: 5000 }).toBe(lang === 'zh' ? '竹林路社区' : 'Zhulin Road Community');
        const legend = await page.locator('[data-testid=map-legend] li').evaluateAll((els) => els.map((el: any) => [el.dataset.state, el.textContent]));
        const count = (state: string) => Object.values(expected).filter((s) => s === state).length;
        expect(legend).toEqual(
          lang === 'zh'
            ? [['reporting', `按时上报${count('reporting')}`], ['late', `未按时上报${count('late')}`], ['alert', `有预警${count('alert')}`], ['closed', `已关闭${count('closed')}`]]
            : [['reporting', `Reporting${count('reporting')}`], ['late', `Late${count('late')}`], ['alert', `Alert${count('alert')}`], ['closed', `Closed${count('closed')}`]],
        );
        // As of the newer of the sites' figures and the alerts it colours them by.
        const mapAsOf = () => [...wall.received.filter((d) => d.checkpointCounts).map((d) => d.checkpointCounts.asOf as string), ...wall.received.filter((d) => d.alerts).map((d) => d.alerts.asOf as string)].sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1)!;
        await expect
          .poll(async () => (await page.locator('[data-testid=as-of-map]').textContent()) === (lang === 'zh' ? `数据截至 ${localClock(mapAsOf())}` : `as of ${localClock(mapAsOf())}`), { timeout: 10_000 })
          .toBe(true);
        // Nothing is fetched from outside the server: the map is drawn, not tiled.
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.reload();
        await page.locator('[data-testid=map-site]').first().waitFor({ timeout: 10_000 });
        expect(requests.filter((u) => !u.startsWith(server.url))).toEqual([]);
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(artifacts, `wall-map-1920x1080-${lang}.png`) });
        expect((await layoutProblems(page, null)).join('\n')).toBe('');
      } finally {
        await wall.close();
      }
    }

    const isolation = (await graphql(server.graphqlUrl, ISOLATION)).data!.zoneSummary.isolation;
    const wall = await openWall(1920, 1080, 'zh', '&view=command-work');
    try {
      const { page } = wall;
      const rows = page.locator('[data-testid=isolation-by-community] .iso-row');
      await expect
        .poll(async () => rows.evaluateAll((els) => els.map((el: any) => [el.dataset.community, JSON.parse(el.dataset.counts)])), { timeout: 10_000 })
        .toEqual(isolation.byCommunity.map((r: any) => [r.community.id, [r.underIsolation, r.startedOnDay, r.endedOnDay]]));
      expect(await rows.first().locator('.iso-community').textContent()).toBe('竹林路社区');
      await expect.poll(async () => (await page.locator('[data-testid=as-of-isolation]').textContent()) === `数据截至 ${localClock(wall.latest('zoneSummary').asOf)}`, { timeout: 10_000 }).toBe(true);
      // Counts only: nothing the display received names a person.
      expect(JSON.stringify(wall.received)).not.toMatch(/李某|0391/);
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(artifacts, 'wall-command-work-isolation-1920x1080.png') });
      expect((await layoutProblems(page, null)).join('\n')).toBe('');
    } finally {
      await wall.close();
    }
  });

  it('lays whole panels on three 1920×1080 screens with ?screens=3, and fits 3840×2160, 1366×768 and 360×640', async () => {
    for (const [width, height, lang, query] of [
      [5760, 1080, 'zh', '&screens=3'],
      [5760, 1080, 'en', '&screens=3'],
      [3840, 2160, 'zh', ''],
      [1366, 768, 'en', ''],
      [360, 640, 'zh', ''],
    ] as const) {
      const wall = await openWall(width, height, lang, query);
      try {
        const { page } = wall;
        await page.locator(`.stock-tile[data-product="${globalId('Product', 'medicine')}"]`).waitFor({ timeout: 10_000 });
        if (query) {
          await page.locator('[data-testid=map-site]').first().waitFor({ timeout: 10_000 });
          // Each pane is one physical screen, holding its panels whole: the overview's, the checkpoints' and the work's.
          const panes = await page.locator('.wall-pane').evaluateAll((els) => els.map((el: any) => { const r = el.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)]; }));
          expect(panes).toHaveLength(3);
          panes.forEach(([left, right], i) => {
            expect(left).toBeGreaterThanOrEqual(i * 1920);
            expect(right).toBeLessThanOrEqual((i + 1) * 1920);
          });
          for (const [selector, pane] of [['.kpis', 0], ['.panel-chart', 0], ['.alerts-strip', 0], ['.panel-ranking', 1], ['.panel-map', 1], ['.panel-stock', 1], ['.panel-production', 2], ['.panel-command-work', 2]] as const) {
            const box = (await page.locator(selector).boundingBox())!;
            expect(box, selector).not.toBeNull();
            expect(Math.floor(box.x / 1920), selector).toBe(pane);
            expect(Math.floor((box.x + box.width - 1) / 1920), selector).toBe(pane);
          }
          // Text as large as on one 1920×1080 screen, not three times or a third.
          const rootPx = await page.evaluate(() => Number.parseFloat((globalThis as any).getComputedStyle((globalThis as any).document.documentElement).fontSize));
          expect(rootPx).toBeGreaterThan(15);
          expect(rootPx).toBeLessThan(20);
        }
        // The charts' series is a query of its own: on screen before the picture is taken.
        await page.locator('[data-testid=as-of-chart]').waitFor({ state: 'visible', timeout: 15_000 });
        await page.waitForTimeout(800);
        await page.screenshot({ path: join(artifacts, `wall-screens-${width}x${height}-${lang}${query ? '-screens3' : ''}.png`), fullPage: width < 800 });
        // Each physical screen on its own too, to look at at its real size.
        if (query) for (const i of [0, 1, 2]) await page.screenshot({ path: join(artifacts, `wall-screens-5760x1080-${lang}-screen${i + 1}.png`), clip: { x: i * 1920, y: 0, width: 1920, height: 1080 } });
        expect((await layoutProblems(page, query ? 1920 : null)).join('\n'), `${width}×${height} ${lang}`).toBe('');
      } finally {
        await wall.close();
      }
    }
  });
});
