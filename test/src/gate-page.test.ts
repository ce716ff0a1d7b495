import { builtClient, clientDist } from './support/client-build.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from './support/browser.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// The pass card sheet (/gate/cards) and the gate keeper's phone page (/gate), built for production and
// driven in headless Chromium against the real server: a card's QR code, photographed or seen by a
// (fake) camera, is read and judged; typed codes too; scans made offline wait in IndexedDB, are
// uploaded when the network is back, and a batch whose answer was lost is sent again and counted once.

const artifacts = join(repoRoot, 'test', 'artifacts');
const GATE = globalId('Checkpoint', 'linxigu-gate');

const run = browserAvailable();

describe.skipIf(!run)('gate pages in Chromium', () => {
  const data = tempDir('fangkong-hgate-page-');
  let env: NodeJS.ProcessEnv;
  let api: RunningServer;
  let browser: Browser;
  let phoneContext: BrowserContext;
  let phone: Page;
  let community = '';
  let operator = '';
  const codes: Record<string, string> = {};
  let cardPng: Buffer;

  const scansAtGate = async () =>
    (await graphql(api.graphqlUrl, `query($g: ID!) { gateScanCounts(checkpointId: $g) { in out counted flagged } }`, { g: GATE })).data!.gateScanCounts as Record<string, number>;
  const total = (c: Record<string, number>) => c.in! + c.out!;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await builtClient();
    env = { FANGKONG_DATA_DIR: data.path, FANGKONG_CLIENT_DIST: clientDist };
    api = await startServer(env);
    community = await createToken(env, 'health', ['zhulinlu'], 'zhulinlu community');
    operator = await createToken(env, 'operator', ['linxigu-gate'], 'linxigu gate keeper');
    const as = { authorization: `Bearer ${community}` };
    const household = async (compound: string, room: string) =>
      (await graphql(api.graphqlUrl, `mutation($c: ID!, $r: String!) { registerGateHousehold(compoundId: $c, room: $r) { ... on GateHouseholdPayload { household { id } } } }`, { c: globalId('Area', compound), r: room }, as)).data!
        .registerGateHousehold.household.id as string;
    const issue = async (name: string, h: string, holder: string, phoneNumber: string) => {
      const issued = await graphql(api.graphqlUrl, `mutation($h: ID!, $n: String!, $p: String!) { issueGatePass(householdId: $h, holderName: $n, holderPhone: $p) { ... on GatePassPayload { pass { code } } } }`, { h, n: holder, p: phoneNumber }, as);
      codes[name] = issued.data!.issueGatePass.pass.code;
    };
    const home = await household('changlv-linxigu', '3-2-401');
    await issue('li', home, '李居民', '13900001111');
    await issue('wang', home, '王居民', '13900002222');
    await issue('binhe', await household('hpu-binhe', '1-1-101'), '赵居民', '13900003333');
    browser = await launchChromium();
    phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    phone = await phoneContext.newPage();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    data.remove();
  });

  it('prints a card per pass of the compound, with a QR code and the code to type', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 }, locale: 'zh-CN' });
    const sheet = await context.newPage();
    await sheet.goto(`${api.url}/gate/cards?compound=changlv-linxigu&token=${community}`);
    await sheet.waitForSelector('[data-testid=sheet][data-ready="2"]', { timeout: 20_000 });
    expect(await sheet.locator('[data-testid=code]').allTextContents()).toEqual([codes.li, codes.wang]);
    writeFileSync(join(artifacts, 'gate-cards.png'), await sheet.screenshot({ fullPage: true }));
    cardPng = await sheet.locator('.pass-card .qr').first().screenshot();
    writeFileSync(join(artifacts, 'gate-card-qr.png'), cardPng);
    // Without a community token the sheet says no.
    await sheet.evaluate(() => (globalThis as any).localStorage.clear());
    await sheet.goto(`${api.url}/gate/cards?compound=changlv-linxigu&token=${operator}`);
    await expect.poll(() => sheet.locator('[data-testid=error]').textContent(), { timeout: 20_000 }).toMatch(/not allowed/);
    await context.close();
  });

  it('reads a photographed card and typed codes, and tells at once what each is', async () => {
    const before = total(await scansAtGate());
    await phone.goto(`${api.url}/gate?token=${operator}`);
    await expect.poll(() => phone.locator('[data-testid=directory]').textContent(), { timeout: 20_000 }).toMatch(/3/);
    await phone.setInputFiles('[data-testid=photo]', { name: 'card.png', mimeType: 'image/png', buffer: cardPng });
    await expect.poll(() => phone.locator('[data-testid=verdict]').getAttribute('data-verdict')).toBe('VALID');
    for (const [code, verdict] of [
      [codes.binhe!.toLowerCase(), 'OTHER_COMPOUND'],
      ['FKP-0000-0000', 'UNKNOWN'],
      [codes.wang!, 'VALID'],
    ]) {
      await phone.fill('[data-testid=code]', code!);
      await phone.click('[data-testid=record]');
      await expect.poll(() => phone.locator('[data-testid=recent] li').first().getAttribute('data-verdict')).toBe(verdict);
      expect(await phone.locator('[data-testid=verdict]').getAttribute('data-verdict')).toBe(verdict);
    }
    await expect.poll(() => phone.locator('[data-testid=waiting]').getAttribute('data-count'), { timeout: 20_000 }).toBe('0');
    await expect.poll(async () => total(await scansAtGate())).toBe(before + 4);
    writeFileSync(join(artifacts, 'gate-phone.png'), await phone.screenshot({ fullPage: true }));
  });

  it('queues scans made offline and uploads them once when back online, even when an answer is lost', async () => {
    const before = total(await scansAtGate());
    await phoneContext.setOffline(true);
    for (const code of [codes.li!, codes.wang!, codes.li!]) {
      await phone.fill('[data-testid=code]', code);
      await phone.click('[data-testid=record]');
    }
    await expect.poll(() => phone.locator('[data-testid=waiting]').getAttribute('data-count')).toBe('3');
    // The offline verdicts come from the directory kept on the phone.
    expect(await phone.locator('[data-testid=recent] li').evaluateAll((rows) => rows.slice(0, 3).map((r) => r.getAttribute('data-verdict')))).toEqual(['VALID', 'VALID', 'VALID']);
    writeFileSync(join(artifacts, 'gate-phone-offline.png'), await phone.screenshot({ fullPage: true }));
    expect(total(await scansAtGate())).toBe(before);

    // The first upload reaches the server, but its answer never reaches the phone.
    let lost = 0;
    let uploads = 0;
    await phone.route('**/graphql', async (route) => {
      if (!route.request().postData()?.includes('RecordGateScans')) return route.continue();
      uploads++;
      if (lost === 0) {
        lost++;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await phoneContext.setOffline(false);
    await expect.poll(() => phone.locator('[data-testid=waiting]').getAttribute('data-count'), { timeout: 60_000 }).toBe('0');
    expect(lost).toBe(1);
    expect(uploads).toBeGreaterThanOrEqual(2);
    // Three scans, stored once each.
    expect(total(await scansAtGate())).toBe(before + 3);
    await phone.unroute('**/graphql');
  });

  it('reads a card shown to the camera (a fake camera playing the card)', async () => {
    // The card's QR code as a Y4M video: Chromium plays it as the camera.
    const frame = await phone.evaluate(async (png: string) => {
      const document = (globalThis as any).document;
      const image = new (globalThis as any).Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 480;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 640, 480);
      const side = 400;
      ctx.drawImage(image, 120, 40, side, side);
      const { data } = ctx.getImageData(0, 0, 640, 480);
      const luma: number[] = [];
      for (let i = 0; i < data.length; i += 4) luma.push(Math.round(0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2]));
      return luma;
    }, cardPng.toString('base64'));
    const y = Buffer.from(frame);
    const uv = Buffer.alloc((640 / 2) * (480 / 2), 128);
    const frames = Array.from({ length: 10 }, () => Buffer.concat([Buffer.from('FRAME\n'), y, uv, uv]));
    const video = join(data.path, 'card.y4m');
    writeFileSync(video, Buffer.concat([Buffer.from('YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n'), ...frames]));
    const cameraBrowser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const context = await cameraBrowser.newContext({ viewport: { width: 390, height: 844 }, permissions: ['camera'], locale: 'zh-CN' });
      const page = await context.newPage();
      const before = total(await scansAtGate());
      await page.goto(`${api.url}/gate?token=${operator}`);
      await expect.poll(() => page.locator('[data-testid=directory]').textContent(), { timeout: 20_000 }).toMatch(/3/);
      await page.click('[data-testid=camera]');
      await expect.poll(() => page.locator('[data-testid=verdict]').getAttribute('data-verdict'), { timeout: 20_000 }).toBe('VALID');
      writeFileSync(join(artifacts, 'gate-camera.png'), await page.screenshot());
      await page.click('[data-testid=camera]');
      await expect.poll(() => page.locator('[data-testid=waiting]').getAttribute('data-count'), { timeout: 20_000 }).toBe('0');
      // The camera sees the card many times a second; it is one scan (or one per 3 s it stays in view).
      const after = total(await scansAtGate());
      expect(after).toBeGreaterThan(before);
      expect(after - before).toBeLessThanOrEqual(3);
    } finally {
      await cameraBrowser.close();
    }
  });
});
