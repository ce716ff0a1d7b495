import { builtClient, clientDist } from './support/client-build.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, imageStats, launchChromium, untilStill } from './support/browser.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { pinnedClock, type TestClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// The wall's alerts strip in headless Chromium: open alerts show at once, a new fever case at an
// expressway exit appears live (its latency printed), highlighted, in Chinese and in English. Beside it, "reported
// this hour" (today's completeness subscription): the count moves and the site's name leaves the
// missing list when its report comes. The server runs on a clock pinned to yesterday 14:30 local (the
// wall shows the server's time): on the real clock, in the first hour after local midnight no period of
// "today" had fallen due yet and the site had no latest period.

const artifacts = join(repoRoot, 'test', 'artifacts');

describe.skipIf(!browserAvailable())('the wall display’s alerts strip', () => {
  const data = tempDir('fangkong-alerts-wall-');
  let server: RunningServer;
  let browser: Browser;
  let wall: Page;
  let displayToken: string;
  let clock: TestClock;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await builtClient();
    clock = pinnedClock('14:30');
    const env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: clientDist, FANGKONG_CLOCK_START: clock.start };
    server = await startServer(env);
    displayToken = await createToken(env, 'display', [], 'alerts wall e2e');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    wall = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  const fever = (feverCases: number) =>
    reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 40, feverCases }));
  const items = (page: Page) => page.locator('[data-testid="alerts"] .alert');

  it('shows the open alerts, then a new one live, highlighted, newest first', async () => {
    expect((await fever(1)).__typename).toBe('CheckpointReportPayload');
    await wall.goto(`${server.url}/?token=${displayToken}`);
    await wall.locator('[data-testid="alerts"] .alert[data-severity="HIGH"]').first().waitFor({ timeout: 15_000 });
    const before = await items(wall).count();

    const sent = Date.now();
    expect((await fever(4)).__typename).toBe('CheckpointReportPayload');
    // Measured from the report being committed (its answer) and printed; the suite asserts that it
    // arrives, highlighted, not how fast: two files run side by side on two cores (bench:alerts measures).
    const acknowledgedAt = Date.now();
    await wall.locator('.alert.is-new', { hasText: '发热人员 4 人' }).waitFor({ timeout: 15_000 });
    const latency = Date.now() - acknowledgedAt;
    expect(await items(wall).count()).toBe(before + 1);
    // Newest first among the high ones.
    expect(await items(wall).first().textContent()).toContain('发热人员 4 人');
    expect(await items(wall).first().textContent()).toContain('刚刚');
    // The test's periods last seconds: the alert names them to the second, never "13:00–13:00".
    expect(await items(wall).first().textContent()).toMatch(/\d\d:\d\d:\d\d–\d\d:\d\d:\d\d/);
    await untilStill(wall);
    const png = await wall.screenshot({ path: join(artifacts, 'wall-alerts.png') });
    const stats = await imageStats(browser, png);
    expect(stats.distinctColors).toBeGreaterThan(64);
    console.info(`new alert on the wall ${latency} ms after the report's answer (${Date.now() - sent} ms after it was sent)`);
  });

  it('shows how many sites reported the period due this hour, names the others, and follows a report live', async () => {
    const LATEST = `{ reportingCompleteness { sites(first: 50) { slug name latest { start end received } } } }`;
    const latest = async () => {
      const response = await graphql(server.graphqlUrl, LATEST);
      expect(response.errors).toBeUndefined();
      return response.data!.reportingCompleteness.sites as { slug: string; name: string; latest: { start: string; end: string; received: boolean } | null }[];
    };
    // Round-the-clock hourly sites fall due on the hour: away from it, so the hour does not turn mid-test.
    const toHour = 3_600_000 - (clock.now() % 3_600_000);
    if (toHour < 90_000) await new Promise((r) => setTimeout(r, toHour + 5_000));
    const site = (await latest()).find((s) => s.slug === 'zhongyuan-road-exit')!;
    expect(site.latest?.received).toBe(false);
    await wall.goto(`${server.url}/?token=${displayToken}`);
    const figure = wall.locator('[data-testid="completeness-figure"]');
    const missing = wall.locator('[data-testid="completeness-missing"]');
    await wall.locator('[data-testid="completeness-missing"]', { hasText: site.name }).waitFor({ timeout: 15_000 });
    const [reported, due] = (await figure.textContent())!.split(' / ').map(Number) as [number, number];
    expect(due).toBeGreaterThan(reported);
    const sitesNow = await latest();
    const dueNow = sitesNow.filter((s) => s.latest && clock.now() - Date.parse(s.latest.end) < 3_600_000);
    expect(due).toBe(dueNow.length);
    expect(reported).toBe(dueNow.filter((s) => s.latest!.received).length);

    const answer = await reportCounts(server.graphqlUrl, {
      checkpointId: globalId('Checkpoint', 'zhongyuan-road-exit'),
      periodStart: site.latest!.start,
      periodEnd: site.latest!.end,
      peopleScreened: 30,
      idempotencyKey: crypto.randomUUID(),
    } as any);
    expect(answer.__typename).toBe('CheckpointReportPayload');
    await wall.locator('[data-testid="completeness-figure"]', { hasText: `${reported + 1} / ${due}` }).waitFor({ timeout: 5_000 });
    expect(await missing.textContent()).not.toContain(site.name);
    expect(await missing.textContent()).toContain('未报：');
    await untilStill(wall);
    await wall.screenshot({ path: join(artifacts, 'wall-completeness.png') });
  });

  it('speaks English with ?lang=en', async () => {
    const english = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await english.goto(`${server.url}/?lang=en&token=${displayToken}`);
    await english.locator('[data-testid="alerts"] .alert').first().waitFor({ timeout: 15_000 });
    const text = await english.locator('.alerts-strip').textContent();
    expect(text).toContain('Alerts');
    expect(text).toContain('fever case(s) found');
    expect(text).toContain('High');
    await english.locator('[data-testid="completeness-figure"]', { hasText: ' / ' }).waitFor({ timeout: 15_000 });
    expect(await english.locator('[data-testid="completeness"]').textContent()).toContain('Reported this hour');
    // Every panel has its figures (the hourly chart's come with their own query) and has stopped moving.
    for (const panel of ['ranking', 'chart', 'production', 'stock']) await english.locator(`[data-testid="as-of-${panel}"][data-as-of]`).waitFor({ timeout: 15_000 });
    await untilStill(english);
    await english.screenshot({ path: join(artifacts, 'wall-alerts-en.png') });
    await english.close();
  });
});
