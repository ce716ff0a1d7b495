import { builtClient } from './support/client-build.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '@fangkong/simulator';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, imageStats, launchChromium } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// What the wall must never get wrong (issue 16), in headless Chromium against a started server on a
// demo clock set a little before midnight of 10 February 2020 (so the suite passes at any hour): a
// refused token gets a plain "not authorised" screen and is not kept; fever cases and zero stock are
// prominent; the date label and the figures come from one snapshot across midnight; a cut network
// shows stale within 5 s and live again after; the simulator, with an operator token, follows the
// server's clock and its reports are accepted.

const artifacts = join(repoRoot, 'test', 'artifacts');
/** Midnight between 10 and 11 February 2020 in the zone (UTC+8). */
const MIDNIGHT = Date.parse('2020-02-11T00:00:00+08:00');
/** Far enough before midnight for the checks that run before it (about 30 s), on a loaded machine too. */
const CLOCK_START = '2020-02-10T23:59:05+08:00';
const at = (local: string) => new Date(`2020-02-${local}+08:00`).toISOString();

const OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on Error { code message } } }`;
const STOCK = `{ zoneSummary { stock { stock product { id nameEn } } } }`;

describe.skipIf(!browserAvailable())('the wall tells the truth', () => {
  const data = tempDir('fangkong-wall-trust-');
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let watch: Page;
  let displayToken: string;
  let operatorToken: string;
  let env: NodeJS.ProcessEnv;

  const report = async (checkpoint: string, periodStart: string, periodEnd: string, peopleScreened: number, feverCases = 0) => {
    const input = { checkpointId: globalId('Checkpoint', checkpoint), periodStart, periodEnd, peopleScreened, feverCases, vehiclesInspected: 1, idempotencyKey: randomUUID() };
    const response = await graphql(server.graphqlUrl, REPORT_CHECKPOINT, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data!.reportCheckpointCounts.__typename, JSON.stringify(response.data)).toBe('CheckpointReportPayload');
  };
  const serverNow = async () => Date.parse((await graphql(server.graphqlUrl, '{ clock { now } }')).data!.clock.now);
  const openWall = async (page: Page, query = '') => {
    await page.goto(`${server.url}/?token=${displayToken}${query}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.connection === 'live', null, { timeout: 15_000 });
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: await builtClient(), FANGKONG_CLOCK_START: CLOCK_START };
    server = await startServer(env);
    const sites = await graphql(server.graphqlUrl, '{ checkpoints(first: 50) { edges { node { slug status } } } productionLines(first: 50) { edges { node { slug } } } }');
    const slugs = [
      ...sites.data!.checkpoints.edges.filter((e: any) => e.node.status === 'ACTIVE').map((e: any) => e.node.slug),
      ...sites.data!.productionLines.edges.map((e: any) => e.node.slug),
    ];
    [displayToken, operatorToken] = await Promise.all([createToken(env, 'display', [], 'wall trust e2e'), createToken(env, 'operator', slugs, 'wall trust simulator')]);
    // 10 February's figures: 1,000 people screened before midnight, and one stock product made.
    await report('fengshou-road', at('10T23:00:00'), at('10T23:30:00'), 1000);
    const output = await graphql(server.graphqlUrl, OUTPUT, {
      input: { lineId: globalId('ProductionLine', 'mingren-mingkang-line-1'), periodStart: at('10T22:00:00'), periodEnd: at('10T23:00:00'), produced: 3000, passedQc: 2990, idempotencyKey: randomUUID() },
    });
    expect(output.data!.reportProductionOutput.__typename).toBe('OutputReportPayload');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    // A screen left open across midnight: every painted frame's date and headline are recorded.
    watch = await context.newPage();
    await openWall(watch);
    await watch.evaluate(() => {
      const g = globalThis as any;
      g.samples = [];
      const read = () => {
        const date = g.document.querySelector('[data-testid=date]').textContent;
        const people = g.document.querySelector('[data-testid=total-peopleScreened]').textContent;
        const row = [...g.document.querySelectorAll('.rank-row')].find((r: any) => r.textContent.includes('丰收路'))?.querySelector('.rank-value').textContent ?? '';
        const last = g.samples.at(-1);
        if (!last || last.date !== date || last.people !== people || last.row !== row) g.samples.push({ date, people, row });
        g.requestAnimationFrame(read);
      };
      read();
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('says plainly that a screen with a wrong token, or none, is not authorised, and keeps no refused token', async () => {
    const page = await context.newPage();
    try {
      // This origin has the display token stored (the watching page); a wrong one in the address must not replace it.
      await page.goto(`${server.url}/?token=fk_not-a-token-this-server-made-000000000000000`);
      const notice = page.locator('[data-testid=not-authorised]');
      await notice.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await notice.getAttribute('data-reason')).toBe('unknown');
      expect(await notice.textContent()).toContain('此屏幕未获授权');
      expect(await page.locator('[data-testid=connection]').textContent()).not.toContain('实时');
      expect(await page.evaluate(() => (globalThis as any).document.body.dataset.connection)).toBe('refused');
      expect(page.url()).not.toContain('token=');
      expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('fangkong.token'))).toBe(displayToken);
      await page.screenshot({ path: join(artifacts, 'wall-not-authorised.png') });

      // No token at all (a fresh browser profile): the same notice, saying a token is missing.
      const bare = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-GB' });
      const empty = await bare.newPage();
      await empty.goto(`${server.url}/?lang=en`);
      await empty.locator('[data-testid=not-authorised][data-reason="no-token"]').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await empty.locator('[data-testid=not-authorised]').textContent()).toContain('This screen is not authorised');
      await empty.screenshot({ path: join(artifacts, 'wall-not-authorised-en-1366.png') });
      await bare.close();
    } finally {
      await page.close();
    }
  });

  it('makes fever cases prominent and shows zero stock as out, at 1920×1080 and 1366×768 in Chinese and English', async () => {
    await report('yingbin-road-exit', at('10T23:30:00'), at('10T23:45:00'), 40, 2);
    const stock = (await graphql(server.graphqlUrl, STOCK)).data!.zoneSummary.stock as { stock: number; product: { id: string; nameEn: string } }[];
    const empty = stock.find((s) => s.stock === 0)!;
    expect(empty).toBeDefined();
    const masks = stock.find((s) => s.product.nameEn === 'Medical mask')!;
    expect(masks.stock).toBeGreaterThan(0);

    const fever = watch.locator('[data-testid=kpi-feverCases]');
    await watch.locator('[data-testid=kpi-feverCases].has-fever').waitFor({ timeout: 10_000 });
    expect(await watch.locator('[data-testid=total-feverCases]').getAttribute('data-value')).toBe('2');
    // Red and large, not a 14 px line in a row: the card's background is red.
    const background = await fever.evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundImage as string);
    expect(background).toMatch(/rgba\(200, 30, 40/);
    // The ranking is a live value of its own (the site's figures), which may arrive a moment after the headline's.
    const pill = watch.locator('.rank-row', { hasText: '迎宾路高速出口' }).locator('.rank-fever');
    await pill.filter({ hasText: '发热 2' }).waitFor({ timeout: 10_000 });
    expect(await pill.textContent()).toBe('发热 2');
    expect(Number.parseFloat(await pill.evaluate((el) => (globalThis as any).getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(17);

    const outTile = watch.locator(`.stock-tile[data-product="${empty.product.id}"]`);
    await outTile.locator('[data-testid=stock-out]').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await outTile.locator('.stock-value').textContent()).toBe('0');
    expect(await outTile.locator('[data-testid=stock-out]').textContent()).toBe('缺货');
    expect(await watch.locator(`.stock-tile[data-product="${masks.product.id}"] [data-testid=stock-out]`).isHidden()).toBe(true);

    for (const [width, height] of [
      [1920, 1080],
      [1366, 768],
    ] as const) {
      for (const lang of ['zh', 'en'] as const) {
        const page = await context.newPage();
        await page.setViewportSize({ width, height });
        await openWall(page, lang === 'en' ? '&lang=en' : '');
        await page.locator('[data-testid=kpi-feverCases].has-fever').waitFor({ timeout: 10_000 });
        expect(await page.locator(`.stock-tile[data-product="${empty.product.id}"] [data-testid=stock-out]`).textContent()).toBe(lang === 'en' ? 'Out' : '缺货');
        // Nothing cut off: no heading, name or figure larger than its box.
        const clipped = await page.evaluate(() =>
          [...(globalThis as any).document.querySelectorAll('.zone-name, .panel-title, .kpi-label span, .stock-product, .ent-name, .rank-name, .line-name, .stock-value, .rank-value')]
            .filter((el: any) => {
              // Wider than its box (cut with an ellipsis), or more lines than a line clamp shows.
              const clamped = (globalThis as any).getComputedStyle(el).webkitLineClamp !== 'none';
              return el.scrollWidth > el.clientWidth + 1 || (clamped && el.scrollHeight > el.clientHeight + 2);
            })
            .map((el: any) => el.textContent),
        );
        // Nothing pushed out of its panel's bottom edge either.
        const spilled = await page.evaluate(() =>
          [...(globalThis as any).document.querySelectorAll('.panel')].flatMap((panel: any) => {
            const bottom = panel.getBoundingClientRect().bottom;
            return [...panel.querySelectorAll('.rank-row, .enterprise, .line, .stock-tile')]
              .filter((el: any) => el.getBoundingClientRect().bottom > bottom + 1)
              .map((el: any) => el.textContent.slice(0, 40));
          }),
        );
        // The chart draws itself in over 0.6 s: the screenshot waits for it.
        await page.waitForTimeout(1000);
        const png = await page.screenshot({ path: join(artifacts, `wall-trust-${width}x${height}-${lang}.png`) });
        expect(clipped.join(' | '), `cut off at ${width}×${height} ${lang}`).toBe('');
        expect(spilled.join(' | '), `out of its panel at ${width}×${height} ${lang}`).toBe('');
        expect((await imageStats(browser, png)).distinctColors).toBeGreaterThan(64);
        await page.close();
      }
    }
  });

  it('marks the screen stale within 5 s of a network cut, and is live again once the network is back', async () => {
    const page = await context.newPage();
    let cut = false;
    // The browser's network cut: sockets open stay open and carry nothing (no close reaches either
    // end, as with a pulled cable), new ones fail, HTTP fails.
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (cut) return ws.close({ code: 1001, reason: 'network down' });
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        if (!cut) upstream.send(message);
      });
      upstream.onMessage((message) => {
        if (!cut) ws.send(message);
      });
    });
    try {
      await openWall(page);
      cut = true;
      await context.setOffline(true);
      const cutAt = Date.now();
      await page.waitForFunction(() => (globalThis as any).document.body.dataset.connection !== 'live', null, { timeout: 8_000 });
      const staleAfter = Date.now() - cutAt;
      await page.locator('[data-testid=stale]').waitFor({ state: 'visible', timeout: 1000 });
      expect(await page.locator('[data-testid=connection]').textContent()).not.toContain('实时');
      await page.screenshot({ path: join(artifacts, 'wall-network-cut.png') });
      expect(staleAfter).toBeLessThan(5000);

      cut = false;
      await context.setOffline(false);
      const backAt = Date.now();
      await page.waitForFunction(() => (globalThis as any).document.body.dataset.connection === 'live', null, { timeout: 20_000 });
      const liveAfter = Date.now() - backAt;
      expect(await page.locator('[data-testid=stale]').isHidden()).toBe(true);
      // And figures flow again: a new report reaches the headline.
      const before = Number(await page.locator('[data-testid=total-peopleScreened]').getAttribute('data-value'));
      const now = await serverNow();
      await report('lubao-market', new Date(now - 2000).toISOString(), new Date(now - 1000).toISOString(), 7);
      await page.waitForFunction((n) => Number((globalThis as any).document.querySelector('[data-testid=total-peopleScreened]').dataset.value) === n, before + 7, { timeout: 10_000 });
      console.info(`network cut: stale after ${staleAfter} ms; live again ${liveAfter} ms after the network came back`);
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  });

  it('runs the simulator on the server’s 2020 clock with an operator token: its reports are accepted and reach the wall', async () => {
    const lines: string[] = [];
    const simulator = startSimulator({ url: server.graphqlUrl, token: operatorToken, rate: 20, speed: 600, lineIncidents: false, statusIntervalMs: 0, log: (line) => lines.push(line) });
    await simulator.ready;
    await watch.locator('[data-testid=simulated]').waitFor({ state: 'visible', timeout: 15_000 });
    const totals = await simulator.stop();
    expect(lines.join('\n')).not.toMatch(/this machine's clock/);
    expect(totals.accepted, lines.join('\n')).toBeGreaterThan(0);
    expect(totals).toMatchObject({ rejected: 0, failed: 0 });
    expect(await watch.locator('[data-testid=date]').textContent()).toBe('2020年2月10日 星期一');
    // At rest, the rows add up to the headline: people screened and fever cases alike.
    await watch.waitForFunction(
      () => {
        const d = (globalThis as any).document;
        const rows = [...d.querySelectorAll('.rank-row')];
        const people = rows.reduce((sum: number, row: any) => sum + Number(row.querySelector('.rank-value').dataset.value), 0);
        const fever = rows.reduce((sum: number, row: any) => sum + Number(row.querySelector('.rank-fever').textContent.replace(/\D/g, '') || 0), 0);
        return people === Number(d.querySelector('[data-testid=total-peopleScreened]').dataset.value) && fever === Number(d.querySelector('[data-testid=total-feverCases]').dataset.value);
      },
      null,
      { timeout: 10_000 },
    );
  });
  it('shows the date of the figures on screen across midnight: never the new date over yesterday’s totals', async () => {
    // Wait for midnight on the server's clock, then report into the new day (it also wakes the summary).
    const wait = MIDNIGHT + 1000 - (await serverNow());
    expect(wait, 'the checks before midnight took too long for this clock').toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, wait));
    await report('zhongyuan-road-exit', at('11T00:00:00'), at('11T00:00:01'), 3);
    await watch.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=date]').textContent.includes('2月11日'), null, { timeout: 15_000 });
    const samples = (await watch.evaluate(() => (globalThis as any).samples)) as { date: string; people: string; row: string }[];
    const figures = samples.filter((s) => s.date && s.people !== '—').map((s) => ({ date: s.date, people: Number(s.people.replace(/,/g, '')), row: s.row }));
    expect(figures.some((s) => s.date.includes('2月10日'))).toBe(true);
    expect(figures.some((s) => s.date.includes('2月11日'))).toBe(true);
    for (const s of figures) {
      if (s.date.includes('2月10日')) expect(s.people, JSON.stringify(s)).toBeGreaterThanOrEqual(1000);
      else {
        expect(s.people, JSON.stringify(s)).toBeLessThan(1000);
        // 丰收路's 1,000 belong to 10 February: under the new date its row shows nothing of them.
        expect(s.row, JSON.stringify(s)).not.toBe('1,000');
      }
    }
    expect(await watch.locator('[data-testid=date]').textContent()).toBe('2020年2月11日 星期二');
  });
});
