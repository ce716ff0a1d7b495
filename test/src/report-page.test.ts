import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { builtClient } from './support/client-build.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// The operator's report page (/report) on a 390×844 phone in headless Chromium against the real
// server: refusals in the page's language with local times, an overlapping report turned into a
// correction that counts once, zeros and unusual figures questioned before sending, and a page that
// opens with no signal (service worker) and sends the reports queued meanwhile, each once.

const artifacts = join(repoRoot, 'test', 'artifacts');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SHANGHAI = 8 * HOUR; // Asia/Shanghai has had no daylight saving since 1991
const SITE = 'fengshou-road';
const siteId = globalId('Checkpoint', SITE);

/** "2020-02-07T10:00" in Asia/Shanghai: what a datetime-local input of the page holds. */
const localInput = (ms: number) => new Date(ms + SHANGHAI).toISOString().slice(0, 16);
/** "2020-02-07 10:00" in Asia/Shanghai: how the page writes an instant. */
const localText = (ms: number) => localInput(ms).replace('T', ' ');
/** Start of the local (Asia/Shanghai) day containing `ms`, as the server computes "today". */
const localMidnight = (ms: number) => Math.floor((ms + SHANGHAI) / (24 * HOUR)) * 24 * HOUR - SHANGHAI;

const run = browserAvailable();

describe.skipIf(!run)('report page on a phone', () => {
  const data = tempDir('fangkong-report-page-');
  let api: RunningServer;
  let browser: Browser;
  let operatorToken: string;
  let context: BrowserContext;
  let phone: Page;
  /** The whole minute the periods below are laid out from (all of them before it, in today's local day). */
  let m0: number;
  const period = (fromMinutesAgo: number, toMinutesAgo: number) => ({ periodStart: new Date(m0 - fromMinutesAgo * MINUTE).toISOString(), periodEnd: new Date(m0 - toMinutesAgo * MINUTE).toISOString() });

  beforeAll(async () => {
    const started = Date.now();
    mkdirSync(artifacts, { recursive: true });
    const env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: await builtClient() };
    api = await startServer(env);
    // The operator's token, the browser and the site's recent hours, side by side.
    const made = createToken(env, 'operator', [SITE], 'fengshou operator');
    const launched = launchChromium().then((b) => (browser = b)); // closed in afterAll whatever happens next

    // The periods must lie in today's local day: in its first minutes, wait for room.
    const sinceMidnight = Date.now() - localMidnight(Date.now());
    if (sinceMidnight < 6 * MINUTE) await new Promise((resolve) => setTimeout(resolve, 6 * MINUTE - sinceMidnight));
    m0 = Math.floor(Date.now() / MINUTE) * MINUTE;

    // The site's recent hours, the figures a new report is compared with: ~100 people an hour.
    for (let k = 0; k < 4; k++) {
      const end = m0 - 10 * MINUTE - k * HOUR;
      const input = { checkpointId: siteId, periodStart: new Date(end - HOUR).toISOString(), periodEnd: new Date(end).toISOString(), vehiclesInspected: 40 + k, peopleScreened: 100 + k, feverCases: 0, hubeiLinked: 1, referred: 0, disinfections: 2, idempotencyKey: `recent-${k}-${end}` };
      const seeded = await graphql(api.graphqlUrl, REPORT_CHECKPOINT, { input });
      expect(seeded.data?.reportCheckpointCounts.__typename, JSON.stringify(seeded)).toBe('CheckpointReportPayload');
    }

    [operatorToken] = await Promise.all([made, launched]);
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    phone = await context.newPage();
    await phone.goto(`${api.url}/report?token=${operatorToken}`);
    await phone.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 15_000 });
    console.info(`report page e2e: client build, server, token and seed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    data.remove();
  });

  async function fillReport(page: Page, p: { periodStart: string; periodEnd: string }, figures: Record<string, number>): Promise<void> {
    await page.selectOption('#target', siteId);
    await page.fill('#periodStart', localInput(Date.parse(p.periodStart)));
    await page.fill('#periodEnd', localInput(Date.parse(p.periodEnd)));
    for (const [field, value] of Object.entries(figures)) await page.fill(`input[name=${field}]`, String(value));
  }

  const small = { vehiclesInspected: 4, peopleScreened: 8, feverCases: 1, hubeiLinked: 1, referred: 1, disinfections: 1 };

  it('words a refusal from its code and fields, in Chinese and in English, with times in local time', async () => {
    const future = { periodStart: new Date(m0 + HOUR).toISOString(), periodEnd: new Date(m0 + 2 * HOUR).toISOString() };
    for (const lang of ['zh', 'en'] as const) {
      await phone.goto(`${api.url}/report${lang === 'en' ? '?lang=en' : ''}`);
      await phone.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 10_000 });
      await fillReport(phone, future, small);
      const before = Date.now();
      await phone.click('[data-testid=submit]');
      await phone.waitForSelector('[data-testid=form-error][data-code=VALIDATION_FAILED]', { timeout: 10_000 });
      const formError = (await phone.textContent('[data-testid=form-error]'))!;
      const slot = (await phone.textContent('[data-error-for=periodEnd]'))!;
      // The server said "periodEnd: is in the future (now 2026-…Z)": no field names, no UTC instants.
      for (const text of [formError, slot]) {
        expect(text).not.toMatch(/periodEnd|\d\d:\d\d:\d\d(\.\d+)?Z|is in the future \(now/);
      }
      if (lang === 'zh') {
        expect(formError).toBe('填写的内容不符合要求，未保存（VALIDATION_FAILED）');
        expect(slot).toMatch(/^不能晚于当前时间（现在 (\d{4}-\d\d-\d\d \d\d:\d\d)）$/);
      } else {
        expect(formError).toBe('Some entries break the rules; nothing was saved (VALIDATION_FAILED)');
        expect(slot).toMatch(/^is in the future \(it is now \d{4}-\d\d-\d\d \d\d:\d\d\)$/);
      }
      // …and "now" is the server's instant in Asia/Shanghai time, to the minute.
      const shown = /(\d{4}-\d\d-\d\d \d\d:\d\d)/.exec(slot)![1]!;
      expect([localText(before), localText(before + MINUTE), localText(before - MINUTE)]).toContain(shown);
      await screenshot(phone, `report-page-error-${lang}.png`);

      // A rule the page knows itself (the figures' own limits) in the same words, before anything is sent.
      await phone.fill('input[name=feverCases]', '9');
      await phone.click('[data-testid=submit]');
      await phone.waitForSelector('[data-error-for=feverCases]:not([hidden])');
      expect(await phone.textContent('[data-error-for=feverCases]')).toBe(lang === 'zh' ? '不能超过测温人数（8），收到 9' : 'cannot exceed people screened (8); got 9');
    }
  });

  it('says the period as it reads it, in the zone\'s time and the page\'s words, on a phone set to another language and zone', async () => {
    const foreign = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'America/New_York', locale: 'en-US' });
    try {
      const page = await foreign.newPage();
      await page.goto(`${api.url}/report?token=${operatorToken}`);
      await page.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 15_000 });
      const hint = page.locator('[data-testid=period-hint]');
      // Opened on the last full hour of the zone (not of New York): read back as Beijing time.
      // A period ending on the next local day (the hour before 00:00, after midnight) says that day after it.
      await expect.poll(() => hint.textContent()).toMatch(/^按北京时间：\d{4}-\d\d-\d\d \d\d:00–\d\d:00( \(\d{4}-\d\d-\d\d\))?，共 60 分钟$/);
      const p = period(100, 10);
      const [start, end] = [localText(Date.parse(p.periodStart)), localText(Date.parse(p.periodEnd))];
      await page.fill('#periodStart', localInput(Date.parse(p.periodStart)));
      await page.fill('#periodEnd', localInput(Date.parse(p.periodEnd)));
      const endDay = end.slice(0, 10) === start.slice(0, 10) ? '' : ` (${end.slice(0, 10)})`;
      await expect.poll(() => hint.textContent()).toBe(`按北京时间：${start}–${end.slice(11)}${endDay}，共 90 分钟`);
      await screenshot(page, 'report-page-period-en-US-phone.png');
    } finally {
      await foreign.close();
    }
  });

  it('offers a correction when the period is already reported, and the correction replaces the figures once', async () => {
    const held = period(3, 2);
    const original = { ...small, peopleScreened: 6 };
    const stored = await graphql(api.graphqlUrl, REPORT_CHECKPOINT, { input: { checkpointId: siteId, ...held, ...original, idempotencyKey: `held-${m0}` } });
    expect(stored.data?.reportCheckpointCounts.__typename).toBe('CheckpointReportPayload');
    const totalBefore = await siteToday();

    await phone.goto(`${api.url}/report`);
    await phone.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 10_000 });
    await fillReport(phone, held, { ...small, peopleScreened: 9 });
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=form-error][data-code=OVERLAPPING_REPORT]', { timeout: 10_000 });
    expect(await phone.textContent('[data-testid=form-error]')).toContain(`该时段与已计入统计的报告（${localText(Date.parse(held.periodStart))}–${localText(Date.parse(held.periodEnd)).slice(11)}）重叠`);
    await screenshot(phone, 'report-page-overlap-zh.png');

    await phone.click('[data-testid=correct-existing]');
    await phone.waitForSelector('[data-testid=correction]:not([hidden])');
    // Pre-filled with the report's own figures; the period and site are that report's.
    for (const [field, value] of Object.entries(original)) expect(await phone.inputValue(`input[name=${field}]`), field).toBe(String(value));
    expect(await phone.isDisabled('#periodStart')).toBe(true);
    const reportKey = await phone.getAttribute('[data-testid=idempotency-key]', 'data-key');
    await phone.fill('input[name=peopleScreened]', '9');
    // A correction needs its reason.
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-error-for=reason]:not([hidden])');
    expect(await phone.textContent('[data-error-for=reason]')).toBe('请填写更正原因');
    await phone.fill('#reason', '复核登记表后更正');
    await screenshot(phone, 'report-page-correction-zh.png');

    const sent: string[] = [];
    phone.on('request', (request) => {
      const body = request.postData() ?? '';
      if (body.includes('correctCheckpointReport')) sent.push(JSON.parse(body).variables.idempotencyKey);
    });
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=result]:not([hidden])', { timeout: 10_000 });
    expect(await phone.getAttribute('[data-testid=duplicate]', 'data-correction')).toBe('true');
    expect(await phone.getAttribute('[data-testid=result] dd[data-field=peopleScreened]', 'data-value')).toBe('9');
    expect(sent).toEqual([reportKey]);

    // On the server: one current report for the period, with the corrected figure; today's total moved by 3, not by 9.
    const current = await reportsIn(held);
    expect(current.map((r) => r.peopleScreened)).toEqual([9]);
    expect(current[0]!.correctionReason).toBe('复核登记表后更正');
    expect(await siteToday()).toBe(totalBefore + 3);

    // Today's reports of the site, the last period reported first, each with its correction action.
    await phone.waitForSelector(`[data-testid=today] li[data-report="${current[0]!.id}"] [data-testid=correct]`, { timeout: 10_000 });
    expect(await phone.textContent('[data-testid=today-summary]')).toContain(`最近上报时段：${localText(Date.parse(held.periodStart))}–`);

    // The same, in English: the correction opened from today's list.
    await phone.goto(`${api.url}/report?lang=en`);
    await phone.waitForSelector(`[data-testid=today] li[data-report="${current[0]!.id}"] [data-testid=correct]`, { timeout: 10_000 });
    await phone.click(`[data-testid=today] li[data-report="${current[0]!.id}"] [data-testid=correct]`);
    await phone.waitForSelector('[data-testid=correction]:not([hidden])');
    expect(await phone.inputValue('input[name=peopleScreened]')).toBe('9');
    expect(await phone.textContent('[data-testid=correction] h2')).toContain(`Correcting the report of`);
    await screenshot(phone, 'report-page-correction-en.png');
    await phone.click('[data-testid=cancel-correction]');
    await fillReport(phone, held, { ...small, peopleScreened: 7 });
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=form-error][data-code=OVERLAPPING_REPORT]', { timeout: 10_000 });
    expect(await phone.textContent('[data-testid=form-error]')).toMatch(/^This period overlaps a report already counted \(\d{4}-\d\d-\d\d \d\d:\d\d–\d\d:\d\d\)/);
    await screenshot(phone, 'report-page-overlap-en.png');
    expect(await siteToday()).toBe(totalBefore + 3);
  });

  it('asks before sending zeros or a figure far above the site lately, and sends nothing until confirmed', async () => {
    await phone.goto(`${api.url}/report`);
    await phone.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 10_000 });
    await phone.waitForSelector('[data-testid=today-summary][data-count]', { timeout: 10_000 }); // the recent figures are read
    const sent: string[] = [];
    phone.on('request', (request) => {
      if ((request.postData() ?? '').includes('reportCheckpointCounts')) sent.push(request.postData()!);
    });
    // An hour with 5,000 people where the site saw ~100 an hour (and a few in a minute), and no fever case.
    await fillReport(phone, period(70, 10), { vehiclesInspected: 40, peopleScreened: 5000, feverCases: 0, hubeiLinked: 1, referred: 0, disinfections: 2 });
    // (that hour overlaps the seeded ones; what matters here is that nothing is sent unconfirmed)
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=confirm]:not([hidden])');
    const flags = await phone.locator('[data-testid=confirm] li').evaluateAll((items) => items.map((li: any) => `${li.dataset.flag}:${li.dataset.field}`));
    expect(flags).toEqual(['unusual:peopleScreened', 'zero:feverCases', 'zero:referred']);
    expect(await phone.textContent('[data-testid=confirm] li[data-flag=unusual]')).toMatch(/^测温人数：5000，远高于本站近期（每小时最多 \d+）$/);
    await screenshot(phone, 'report-page-confirm-zh.png');
    // A figure changed while the question is open closes it: what is confirmed is what the form says.
    await phone.fill('input[name=feverCases]', '1');
    expect(await phone.isVisible('[data-testid=confirm]')).toBe(false);
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=confirm]:not([hidden])');
    expect(await phone.locator('[data-testid=confirm] li').evaluateAll((items) => items.map((li: any) => `${li.dataset.flag}:${li.dataset.field}`))).toEqual(['unusual:peopleScreened', 'zero:referred']);
    await phone.click('[data-testid=confirm-back]');
    expect(await phone.isVisible('[data-testid=confirm]')).toBe(false);
    await phone.waitForTimeout(300);
    expect(sent).toEqual([]);
    // Confirmed, it goes out (and the server, not the page, refuses the overlap).
    await phone.click('[data-testid=submit]');
    await phone.click('[data-testid=confirm-send]');
    await phone.waitForSelector('[data-testid=form-error][data-code=OVERLAPPING_REPORT]', { timeout: 10_000 });
    expect(sent.length).toBe(1);
  });

  it('calls a retry answered "duplicate" a success, and keeps an edit made while a report is retried', async () => {
    await phone.goto(`${api.url}/report`);
    await phone.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 10_000 });
    // The server stores the report, its answer is lost; the retry under the same key is answered "duplicate".
    let lost = false;
    await phone.route('**/graphql', async (route) => {
      if (!lost && (route.request().postData() ?? '').includes('reportCheckpointCounts')) {
        lost = true;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await fillReport(phone, period(2, 1), small);
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=result]:not([hidden])', { timeout: 15_000 });
    await phone.unrouteAll();
    expect(await phone.getAttribute('[data-testid=duplicate]', 'data-duplicate')).toBe('true');
    const notice = (await phone.textContent('[data-testid=duplicate]'))!;
    expect(notice).toBe('上报成功：服务器此前已收到这份报告（网络中断后自动重发），只计一次。');
    expect(notice).not.toContain('重复提交');
    expect((await reportsIn(period(2, 1))).map((r) => r.peopleScreened)).toEqual([8]);

    // While a report is retried its form cannot change (nothing typed is lost to the retry); stopped,
    // the figures are back in the form, and changed they go out under a new key.
    await phone.click('[data-testid=new-report]');
    await phone.route('**/graphql', (route) => ((route.request().postData() ?? '').includes('reportCheckpointCounts') ? route.abort('internetdisconnected') : route.continue()));
    await fillReport(phone, period(4, 3), small);
    const firstKey = await phone.getAttribute('[data-testid=idempotency-key]', 'data-key');
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=status][data-state=retrying]', { timeout: 10_000 });
    expect(await phone.isDisabled('input[name=peopleScreened]')).toBe(true);
    await phone.click('button:has-text("停止重试")');
    await phone.waitForSelector('[data-testid=status][data-state=stopped]');
    expect(await phone.isDisabled('input[name=peopleScreened]')).toBe(false);
    expect(await phone.inputValue('input[name=peopleScreened]')).toBe('8');
    await phone.unrouteAll();
    await phone.fill('input[name=peopleScreened]', '7');
    await phone.click('[data-testid=submit]');
    await phone.waitForSelector('[data-testid=result]:not([hidden])', { timeout: 10_000 });
    expect(await phone.getAttribute('[data-testid=result] dd[data-field=peopleScreened]', 'data-value')).toBe('7');
    expect(await phone.getAttribute('[data-testid=duplicate]', 'data-duplicate')).toBe('false');
    expect(await phone.getAttribute('[data-testid=idempotency-key]', 'data-key')).not.toBe(firstKey);
    expect((await reportsIn(period(4, 3))).map((r) => r.peopleScreened)).toEqual([7]);
  });

  it('opens with no signal from the service worker, keeps two reports, and sends each once when back online', async () => {
    const offline = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    try {
      const page = await offline.newPage();
      await page.goto(`${api.url}/report?token=${operatorToken}`);
      await page.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 10_000 });
      await page.evaluate(async () => {
        const sw = (globalThis as any).navigator.serviceWorker;
        await sw.ready;
        if (!sw.controller) await new Promise((resolve) => sw.addEventListener('controllerchange', resolve, { once: true }));
      });

      await offline.setOffline(true);
      await page.reload();
      await page.waitForSelector('[data-testid=report-form]', { timeout: 10_000 });
      expect(await page.isVisible('[data-testid=offline]')).toBe(true);
      // The token's sites as last read, with no server to ask.
      await page.waitForSelector(`#target option[value="${siteId}"]`, { state: 'attached', timeout: 5_000 });

      const first = period(6, 5);
      const second = period(5, 4);
      for (const [p, people] of [
        [first, 5],
        [second, 6],
      ] as const) {
        await fillReport(page, p, { ...small, peopleScreened: people });
        await page.click('[data-testid=submit]');
        await page.waitForSelector('[data-testid=status][data-state=queued]', { timeout: 5_000 });
      }
      await expect.poll(() => page.getAttribute('[data-testid=queue]', 'data-waiting')).toBe('2');
      const keys = await page.locator('[data-testid=queue] li[data-key]').evaluateAll((items) => items.map((li: any) => li.dataset.key as string));
      expect(new Set(keys).size).toBe(2);
      // The countdown of the waiting report moves, second by second, within one wait.
      const waitingItem = page.locator('[data-testid=queue] li[data-state=retrying]');
      await page.waitForSelector('[data-testid=queue] li[data-state=retrying][data-seconds]:not([data-seconds="0"]):not([data-seconds="1"]):not([data-seconds="2"])', { timeout: 15_000 });
      const [retry, seconds] = await waitingItem.evaluate((li: any) => [li.dataset.retry, Number(li.dataset.seconds)] as const);
      expect(await waitingItem.textContent()).toContain(`网络中断，${seconds} 秒后重试`);
      await page.waitForSelector(`[data-testid=queue] li[data-state=retrying][data-retry="${retry}"][data-seconds="${seconds - 1}"]`, { timeout: 3_000 });
      await screenshot(page, 'report-page-offline-queue-zh.png');
      expect(await reportsIn({ periodStart: first.periodStart, periodEnd: second.periodEnd })).toEqual([]);

      await offline.setOffline(false);
      await page.evaluate(() => (globalThis as any).dispatchEvent(new Event('online')));
      await expect.poll(() => page.getAttribute('[data-testid=queue]', 'data-waiting'), { timeout: 20_000 }).toBe('0');
      await expect.poll(() => page.locator('[data-testid=queue] li[data-state=delivered]').count()).toBe(2);
      const arrived = await reportsIn({ periodStart: first.periodStart, periodEnd: second.periodEnd });
      expect(arrived.map((r) => [r.periodStart, r.peopleScreened])).toEqual([
        [second.periodStart, 6],
        [first.periodStart, 5],
      ]);
      // In the order they were made.
      expect(Date.parse(arrived[1]!.reportedAt)).toBeLessThanOrEqual(Date.parse(arrived[0]!.reportedAt));
    } finally {
      await offline.close();
    }
  });

  /** The site's current reports whose period starts in [periodStart, periodEnd), newest first. */
  async function reportsIn(p: { periodStart: string; periodEnd: string }): Promise<{ id: string; periodStart: string; peopleScreened: number; correctionReason: string | null; reportedAt: string }[]> {
    const result = await graphql(
      api.graphqlUrl,
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Checkpoint { reports(first: 50, period: { from: $from, to: $to }) { edges { node { id periodStart peopleScreened correctionReason reportedAt } } } } } }`,
      { id: siteId, from: p.periodStart, to: p.periodEnd },
    );
    return result.data!.node.reports.edges.map((e: any) => ({ ...e.node, periodStart: new Date(e.node.periodStart).toISOString() }));
  }

  async function siteToday(): Promise<number> {
    const result = await graphql(api.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on Checkpoint { today { peopleScreened } } } }`, { id: siteId });
    return result.data!.node.today.peopleScreened;
  }
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, name), fullPage: true });
}
