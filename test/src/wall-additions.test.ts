import { builtClient } from './support/client-build.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium, openRecordedWall } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// What the wall adds for a command room (issue 16), in headless Chromium against a started server on
// a demo clock pinned to 10 February 2020 (so it passes at any hour): every panel says when its
// figures were read ("数据截至", the server's asOf in the zone's time), the stale banner counts the
// time since the cut, Hubei-linked people and disinfections are shown as the server sums them, each
// headline figure is compared with yesterday up to the same time, and the response curve has one
// point per day since 27 January.

const artifacts = join(repoRoot, 'test', 'artifacts');
const CLOCK_START = '2020-02-10T10:00:00+08:00';
const TIME_ZONE = 'Asia/Shanghai';
const at = (local: string) => new Date(`2020-02-${local}+08:00`).toISOString();
/** HH:MM:SS in the zone, as the wall writes it. */
const localClock = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));

describe.skipIf(!browserAvailable())('the wall’s additions for the command room', () => {
  const data = tempDir('fangkong-wall-additions-');
  let server: RunningServer;
  let browser: Browser;
  let displayToken: string;

  const report = async (checkpoint: string, periodStart: string, periodEnd: string, figures: { peopleScreened: number; hubeiLinked?: number; disinfections?: number; feverCases?: number; referred?: number }) => {
    const input = { checkpointId: globalId('Checkpoint', checkpoint), periodStart, periodEnd, feverCases: 0, vehiclesInspected: 2, idempotencyKey: randomUUID(), ...figures };
    const response = await graphql(server.graphqlUrl, REPORT_CHECKPOINT, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data!.reportCheckpointCounts.__typename, JSON.stringify(response.data)).toBe('CheckpointReportPayload');
  };

  const openWall = (width: number, height: number, lang: 'zh' | 'en') => openRecordedWall(browser, `${server.url}/?token=${displayToken}`, { width, height, lang });

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: await builtClient(), FANGKONG_CLOCK_START: CLOCK_START };
    server = await startServer(env);
    displayToken = await createToken(env, 'display', [], 'wall additions e2e');
    await report('fengshou-road', at('10T08:00:00'), at('10T09:00:00'), { peopleScreened: 400, hubeiLinked: 3, disinfections: 5 });
    await report('yingbin-road-exit', at('10T09:00:00'), at('10T09:30:00'), { peopleScreened: 120, hubeiLinked: 1, disinfections: 2 });
    // Yesterday: 300 people before the same time of day, 999 after it (not in the comparison).
    await report('fengshou-road', at('09T08:00:00'), at('09T09:00:00'), { peopleScreened: 300, feverCases: 1, referred: 1 });
    await report('fengshou-road', at('09T11:00:00'), at('09T12:00:00'), { peopleScreened: 999, feverCases: 2 });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('says on every panel when its figures were read, shows Hubei-linked people and disinfections, each headline figure against yesterday and the curve since 27 January, as the API gives them', async () => {
    const summary = (await graphql(server.graphqlUrl, '{ zoneSummary { checkpointTotals { peopleScreened hubeiLinked disinfections } } }')).data!.zoneSummary.checkpointTotals;
    expect(summary).toEqual({ peopleScreened: 520, hubeiLinked: 4, disinfections: 7 });
    for (const [width, height, lang] of [
      [1920, 1080, 'zh'],
      [1366, 768, 'en'],
    ] as const) {
      const wall = await openWall(width, height, lang);
      try {
        const { page } = wall;
        const asOfText = (iso: string) => (lang === 'zh' ? `数据截至 ${localClock(iso)}` : `as of ${localClock(iso)}`);
        await page.waitForFunction((n) => (globalThis as any).document.querySelector('[data-testid=total-peopleScreened]').dataset.value === String(n), summary.peopleScreened, { timeout: 10_000 });
        // The browser runs on London time: the wall's times are the zone's, from the server's values.
        const shown = async (testId: string) => page.locator(`[data-testid=${testId}]`).textContent();
        await expect.poll(async () => (await shown('as-of-headline')) === asOfText(wall.latest('zoneSummary').asOf), { timeout: 5000 }).toBe(true);
        await expect.poll(async () => (await shown('as-of-stock')) === asOfText(wall.latest('stockLevels').asOf), { timeout: 5000 }).toBe(true);
        const checkpointAsOf = () => wall.received.filter((d) => d.checkpointCounts).map((d) => d.checkpointCounts.asOf as string).sort().at(-1)!;
        await expect.poll(async () => (await shown('as-of-ranking')) === asOfText(checkpointAsOf()), { timeout: 5000 }).toBe(true);
        const lineAsOf = () => wall.received.filter((d) => d.productionOutput).map((d) => d.productionOutput.asOf as string).sort().at(-1)!;
        await expect.poll(async () => (await shown('as-of-production')) === asOfText(lineAsOf()), { timeout: 5000 }).toBe(true);
        await expect.poll(async () => (await shown('as-of-completeness')) === asOfText(wall.latest('reportingCompleteness').asOf), { timeout: 5000 }).toBe(true);
        // The chart's series is a query: as of when it was asked, on the server's clock (10 February, not today).
        await page.locator('[data-testid=as-of-chart]').waitFor({ state: 'visible', timeout: 5000 });
        const chartAsOf = await page.locator('[data-testid=as-of-chart]').getAttribute('data-as-of');
        expect(chartAsOf?.slice(0, 10)).toBe('2020-02-10');
        expect(await shown('as-of-chart')).toBe(asOfText(chartAsOf!));

        expect(await page.locator('[data-testid=total-hubeiLinked]').getAttribute('data-value')).toBe(String(summary.hubeiLinked));
        expect(await page.locator('[data-testid=total-disinfections]').getAttribute('data-value')).toBe(String(summary.disinfections));
        expect(await shown('total-hubeiLinked')).toBe(lang === 'zh' ? '其中涉鄂 4 人' : 'Hubei-linked 4');
        expect(await shown('total-disinfections')).toBe(lang === 'zh' ? '消杀 7 次' : 'disinfections 7');

        // Against yesterday: the flows up to the same local time as the headline's asOf (by the
        // reports' period start, as today's totals count them), isolation against yesterday's end.
        await page.locator('[data-testid=change-peopleScreened][data-value]').waitFor({ timeout: 10_000 });
        await expect
          .poll(async () => {
            const headline = wall.latest('zoneSummary');
            const cut = new Date(Date.parse(at('09T00:00:00')) + Date.parse(headline.asOf) - Date.parse(headline.dayStart)).toISOString();
            const api = await graphql(server.graphqlUrl, `query($from: DateTime!, $to: DateTime!) { soFar: checkpointSeries(bucket: DAY, from: $from, to: $to) { counts { vehiclesInspected peopleScreened feverCases referred } } end: zoneSummary(day: "2020-02-09") { peopleUnderIsolation } }`, { from: at('09T00:00:00'), to: cut });
            const y = api.data!.soFar.reduce((sum: Record<string, number>, p: any) => { for (const k of Object.keys(sum)) sum[k]! += p.counts[k]; return sum; }, { vehiclesInspected: 0, peopleScreened: 0, feverCases: 0, referred: 0 });
            const t = headline.checkpointTotals;
            const expected = {
              vehiclesInspected: t.vehiclesInspected - y.vehiclesInspected,
              peopleScreened: t.peopleScreened - y.peopleScreened,
              feverCases: t.feverCases - y.feverCases,
              referred: t.referred - y.referred,
              peopleUnderIsolation: headline.peopleUnderIsolation - api.data!.end.peopleUnderIsolation,
            };
            const shownChanges: Record<string, number> = {};
            for (const key of Object.keys(expected)) shownChanges[key] = Number(await page.locator(`[data-testid=change-${key}]`).getAttribute('data-value'));
            return JSON.stringify(shownChanges) === JSON.stringify(expected) ? 'same' : JSON.stringify({ shownChanges, expected });
          }, { timeout: 8000 })
          .toBe('same');
        // 520 today against 300 by this time yesterday (the 999 came later in the day).
        const change = async (key: string) => [await page.locator(`[data-testid=change-${key}] .kpi-change-value`).textContent(), await page.locator(`[data-testid=change-${key}] .kpi-change-base`).textContent()];
        expect(await change('peopleScreened')).toEqual(['↑220', lang === 'zh' ? '较昨日同时' : 'vs yesterday by now']);
        expect(await change('feverCases')).toEqual(['↓1', lang === 'zh' ? '较昨日同时' : 'vs yesterday by now']);
        expect(await page.locator('[data-testid=change-peopleUnderIsolation]').getAttribute('data-base')).toBe('endOfDay');

        // The response curve: one point per local day from 27 January to today, as the API sums them.
        const api = (await graphql(server.graphqlUrl, `{ checkpointSeries(bucket: DAY, from: "2020-01-27T00:00:00+08:00", to: "${at('11T00:00:00')}") { start counts { peopleScreened feverCases } } }`)).data!.checkpointSeries as { start: string; counts: { peopleScreened: number; feverCases: number } }[];
        const expectedDays = api.map((p) => ({ day: new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(Date.parse(p.start)), people: p.counts.peopleScreened, fever: p.counts.feverCases }));
        expect(expectedDays).toHaveLength(15);
        expect(expectedDays[0]!.day).toBe('2020-01-27');
        expect(expectedDays.at(-2)!.people).toBeGreaterThanOrEqual(1299);
        expect(expectedDays.at(-1)).toEqual({ day: '2020-02-10', people: 520, fever: 0 });
        await expect.poll(async () => JSON.parse((await page.locator('[data-testid=response-curve]').getAttribute('data-points')) ?? '[]'), { timeout: 5000 }).toEqual(expectedDays);
        expect(await page.locator('.curve-title').textContent()).toBe(lang === 'zh' ? '自1月27日以来 · 每日测温人数 / 发热' : 'Since 27 January · people screened / fever per day');

        // Nothing cut off or overlapping: the as-of labels sit clear of the panel titles.
        const overlaps = await page.evaluate(() =>
          [...(globalThis as any).document.querySelectorAll('.panel > .panel-as-of, .completeness-panel > .panel-as-of')].filter((label: any) => {
            const title = label.parentElement.querySelector('.panel-title, .completeness-title');
            const a = label.getBoundingClientRect();
            const range = (globalThis as any).document.createRange();
            range.selectNodeContents(title);
            const b = range.getBoundingClientRect();
            return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          }).map((label: any) => label.dataset.testid),
        );
        const clipped = await page.evaluate(() =>
          [...(globalThis as any).document.querySelectorAll('.kpi')].filter((card: any) => card.querySelector('.kpi-figure').scrollWidth > card.querySelector('.kpi-figure').clientWidth + 1).map((card: any) => card.dataset.testid),
        );
        await page.waitForTimeout(800);
        await page.screenshot({ path: join(artifacts, `wall-additions-${width}x${height}-${lang}.png`) });
        expect(overlaps.join(' '), `as-of over a title at ${width}×${height}`).toBe('');
        expect(clipped.join(' '), `figures cut off at ${width}×${height}`).toBe('');
      } finally {
        await wall.close();
      }
    }
  });

  it('counts the time since the figures stopped in the stale banner, ticking while the server is down, and hides the as-of labels', async () => {
    const wall = await openWall(1920, 1080, 'zh');
    try {
      const { page } = wall;
      await page.locator('[data-testid=as-of-headline]').waitFor({ state: 'visible', timeout: 10_000 });
      await server.stop();
      const banner = page.locator('[data-testid=stale]');
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator('.panel-as-of:visible').count()).toBe(0);
      const elapsed = async () => Number(await banner.getAttribute('data-elapsed-s'));
      const first = await elapsed();
      const firstAt = Date.now();
      await page.waitForTimeout(3500);
      const second = await elapsed();
      const waited = (Date.now() - firstAt) / 1000;
      // The count follows the time passing, within the one-second tick (and a busy machine's lag).
      expect(second - first).toBeGreaterThanOrEqual(Math.floor(waited) - 1.5);
      expect(second - first).toBeLessThanOrEqual(Math.ceil(waited) + 1);
      expect(second - first).toBeGreaterThanOrEqual(2);
      expect(await banner.textContent()).toMatch(new RegExp(`已断开 ${second}秒$`));
      await page.screenshot({ path: join(artifacts, 'wall-additions-stale.png') });
    } finally {
      await wall.close();
    }
  });
});
