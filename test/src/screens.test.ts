import { builtClient } from './support/client-build.ts';
import { createHash, } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, imageStats, launchChromium } from './support/browser.ts';
import { collect, wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, type TestDatabase } from './support/postgres.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { redisReachable, redisUrl } from './support/redis.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

// Wall displays as registered screens, in headless Chromium against two instances of the real
// server on one PostgreSQL with Redis fan-out: the pages connect to the first, the admin watches and
// commands through the second. A display registers and shows up live, goes silent when its browser
// closes and the silent-screen alert fires; commands (switch view, playlist, language, reload) reach
// the page within 2 s and are acknowledged; a new client build served makes a connected page reload
// itself. The servers run a copy of the build, so a "redeploy" can change the files they serve.

const artifacts = join(repoRoot, 'test', 'artifacts');

const SCREEN_FIELDS = `id name location live silentSince connectedSince clientVersion asOfSeq lagEvents reconnectsLastHour memoryBytes reportedAt
  shownView shownLanguage playing view playlist playlistSeconds language lastCommandId acknowledgedCommandId acknowledgedAt`;

const COMMAND = `mutation ($screenIds: [ID!], $action: ScreenAction!, $view: ScreenView, $playlist: [ScreenView!], $playlistSeconds: Int, $language: ScreenLanguage) {
  commandScreens(screenIds: $screenIds, action: $action, view: $view, playlist: $playlist, playlistSeconds: $playlistSeconds, language: $language) {
    __typename
    ... on ScreenCommandPayload { commandId screens { id name view playlist language } }
    ... on Error { message code }
  } }`;

describe.skipIf(!(browserAvailable() && (await postgresReachable()) && (await redisReachable())))('wall displays as registered screens', () => {
  const data = tempDir('fangkong-screens-');
  const served = join(data.path, 'client');
  let database: TestDatabase;
  /** The instance the wall displays connect to. */
  let walls: RunningServer;
  /** The instance the admin uses. */
  let server: RunningServer;
  let browser: Browser;
  let displayToken: string;
  let commanderToken: string;
  let analystToken: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const began = Date.now();
    cpSync(await builtClient(), served, { recursive: true });
    const built = Date.now();
    database = await createTestDatabase('screens');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      FANGKONG_REDIS_PREFIX: `fangkong-screens-${process.pid}:`,
      FANGKONG_DATA_DIR: join(data.path, 'data'),
      FANGKONG_CLIENT_DIST: served,
      FANGKONG_SCREEN_HEARTBEAT_MS: '500',
      FANGKONG_SCREEN_SILENT_AFTER_MS: '1500',
      FANGKONG_ALERT_SWEEP_MS: '500',
    };
    walls = await startServer(env);
    const first = Date.now();
    // The second instance shares the first one's database and admin token.
    [server, displayToken, commanderToken, analystToken] = await Promise.all([
      startServer(env, 'serve', 90_000, walls.adminToken),
      createToken(env, 'display', [], 'screens e2e display'),
      createToken(env, 'commander', [], 'screens e2e commander'),
      createToken(env, 'analyst', [], 'screens e2e analyst'),
    ]);
    console.info(`client built in ${built - began} ms; instances up ${first - built} and ${Date.now() - first} ms later`);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([walls?.stop(), server?.stop()]);
    await database?.drop();
    data.remove();
  });

  async function openScreen(name: string, location: string, lang = 'zh'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${walls.url}/?token=${displayToken}&screen=${encodeURIComponent(name)}&location=${encodeURIComponent(location)}&lang=${lang}`);
    return { context, page };
  }

  async function screenNamed(name: string): Promise<any> {
    const response = await graphql(server.graphqlUrl, `{ screens { ${SCREEN_FIELDS} } }`);
    expect(response.errors).toBeUndefined();
    return response.data!.screens.find((s: any) => s.name === name);
  }

  async function until<T>(what: string, read: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function command(variables: Record<string, unknown>) {
    const response = await graphql(server.graphqlUrl, COMMAND, variables);
    expect(response.errors).toBeUndefined();
    expect(response.data!.commandScreens.__typename).toBe('ScreenCommandPayload');
    return response.data!.commandScreens as { commandId: string; screens: any[] };
  }

  it('registers a display that connects, shows it live, then silent when its browser closes, and raises the silent-screen alert', async () => {
    const rule = await graphql(server.graphqlUrl, `mutation { updateAlertRule(ruleId: "${Buffer.from('AlertRule:screen-silent').toString('base64')}", parameters: "{\\"minutes\\": 0.02, \\"lookbackHours\\": 1}") { __typename } }`);
    expect(rule.data?.updateAlertRule.__typename).toBe('AlertRulePayload');
    const admin = wsClient(server.url);
    const screens = collect(admin, `subscription { screens { asOfSeq screens { ${SCREEN_FIELDS} } } }`, {}, (d) => d.screens);
    const alerts = collect(admin, 'subscription { alerts { kind alerts { kind subjectType subjectId message messageEn details } } }', {}, (d) => d.alerts);
    try {
      await screens.until(1);
      const name = '指挥中心主屏';
      const opened = Date.now();
      const { context, page } = await openScreen(name, '三楼指挥大厅');
      const shown = await screens.waitFor((u) => u.screens.some((s: any) => s.name === name && s.live));
      console.info(`screen registered and live in the screens subscription ${Date.now() - opened} ms after the page was opened`);
      const screen = shown.screens.find((s: any) => s.name === name);
      expect(screen.location).toBe('三楼指挥大厅');
      const build = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(readFileSync(join(served, 'index.html'), 'utf8'))![1];
      expect(screen.clientVersion).toBe(build);

      // Its report over the live connection: what it shows, its figures' position and lag, its memory.
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
      const reported = await screens.waitFor((u) => u.screens.some((s: any) => s.name === name && s.reportedAt && s.asOfSeq !== null), 10_000);
      const report = reported.screens.find((s: any) => s.name === name);
      expect(report).toMatchObject({ shownView: 'OVERVIEW', shownLanguage: 'ZH', playing: false, reconnectsLastHour: 0 });
      expect(report.lagEvents).toBeGreaterThanOrEqual(0);
      expect(report.memoryBytes).toBeGreaterThan(0);
      expect(Date.parse(report.connectedSince)).toBeGreaterThanOrEqual(opened - 1000);

      // Only what the registry says after the close counts: on a loaded machine a late heartbeat can
      // make the screen read silent for a moment while it is still open.
      const seenBefore = new Set(screens.values);
      const closed = Date.now();
      await context.close();
      const silent = await screens.waitFor((u) => !seenBefore.has(u) && u.screens.some((s: any) => s.name === name && !s.live && s.silentSince), 10_000);
      console.info(`screen silent in the subscription ${Date.now() - closed} ms after its browser closed`);
      // Silent since its connection ended, or its last heartbeat if that lapsed first (a loaded
      // machine): after the report above, not before it, and not after now.
      const since = Date.parse(silent.screens.find((s: any) => s.name === name).silentSince);
      expect(since).toBeGreaterThanOrEqual(Date.parse(report.reportedAt) - 1000);
      expect(since).toBeLessThanOrEqual(Date.now());
      const raised = await alerts.waitFor((u) => u.kind === 'RAISED' && u.alerts[0].kind === 'SCREEN_SILENT' && u.alerts[0].message.includes(name), 15_000);
      console.info(`SCREEN_SILENT alert raised ${Date.now() - closed} ms after the browser closed (rule: 0.02 min, sweep every 500 ms)`);
      expect(raised.alerts[0].message).toContain('三楼指挥大厅');
      expect(raised.alerts[0].messageEn).toContain('silent');
      // Nothing personal and no token anywhere in what the registry and the alert say.
      const said = JSON.stringify([screens.values, alerts.values]);
      for (const token of [displayToken, server.adminToken, walls.adminToken]) expect(said).not.toContain(token);
      expect(said).not.toMatch(/fk_[\w-]{20,}/);
    } finally {
      screens.dispose();
      alerts.dispose();
      await admin.dispose();
    }
  });

  it('refuses the registry and commands to roles other than admins (and commanders, who may read it)', async () => {
    const commander = await graphql(server.graphqlUrl, '{ screens { name live } }', {}, { authorization: `Bearer ${commanderToken}` });
    expect(commander.errors).toBeUndefined();
    for (const [token, query] of [
      [commanderToken, `mutation { commandScreens(action: RELOAD) { __typename } }`],
      [analystToken, '{ screens { name } }'],
      [displayToken, '{ screens { name } }'],
      [analystToken, `mutation { commandScreens(action: RELOAD) { __typename } }`],
    ] as const) {
      const refused = await graphql(server.graphqlUrl, query, {}, { authorization: `Bearer ${token}` });
      expect(refused.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const analyst = wsClient(server.url, { token: analystToken });
    const session = collect(analyst, 'subscription { screenSession(name: "x") { kind } }');
    await session.completed;
    expect(JSON.stringify(session.errors)).toContain('FORBIDDEN');
    await analyst.dispose();
    const invalid = await graphql(server.graphqlUrl, COMMAND, { action: 'PLAY', playlist: ['ALERTS'], playlistSeconds: 1 });
    expect(invalid.data!.commandScreens).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
  });

  it('switches the view and reloads a real browser within 2 s of the command, which it acknowledges', async () => {
    const name = '东厅副屏';
    const { page } = await openScreen(name, '东厅');
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    const screen = await until('the screen to report', async () => {
      const s = await screenNamed(name);
      return s?.live && s.reportedAt ? s : null;
    });

    const sent = Date.now();
    const switched = await command({ screenIds: [screen.id], action: 'SHOW_VIEW', view: 'CHECKPOINTS' });
    const answered = Date.now();
    await page.locator('body[data-view="checkpoints"]').waitFor({ timeout: 2000 });
    const switchMs = Date.now() - answered;
    expect(switchMs).toBeLessThan(2000);
    expect(await page.locator('.panel-production').isVisible()).toBe(false);
    expect(await page.locator('.panel-ranking').isVisible()).toBe(true);
    const acknowledged = await until('the acknowledgement', async () => {
      const s = await screenNamed(name);
      return s.acknowledgedCommandId === switched.commandId ? s : null;
    });
    expect(acknowledged).toMatchObject({ shownView: 'CHECKPOINTS', view: 'CHECKPOINTS', playing: false });
    console.info(`switch view: shown ${switchMs} ms after the command's answer (${Date.now() - sent} ms after it was sent, acknowledged included)`);
    await page.locator('[data-testid="hourly-chart"] canvas').first().waitFor({ timeout: 5000 });
    await page.waitForTimeout(600); // the chart's resize animation
    const png = await page.screenshot({ path: join(artifacts, 'screen-view-checkpoints.png') });
    expect((await imageStats(browser, png)).distinctColors).toBeGreaterThan(64);

    // An admin renames it: the page keeps the new name, and comes back under it after the reload.
    const RENAME = `mutation ($id: ID!, $name: String!, $location: String) { renameScreen(screenId: $id, name: $name, location: $location) {
      __typename ... on ScreenPayload { screen { name location } } ... on Error { code message } } }`;
    const taken = await graphql(server.graphqlUrl, RENAME, { id: screen.id, name: '指挥中心主屏' });
    expect(taken.data!.renameScreen).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    const renamed = await graphql(server.graphqlUrl, RENAME, { id: screen.id, name: '东厅主屏', location: '东厅北墙' });
    expect(renamed.data!.renameScreen).toMatchObject({ __typename: 'ScreenPayload', screen: { name: '东厅主屏', location: '东厅北墙' } });
    await page.locator('[data-testid="screen-badge"]', { hasText: '东厅主屏' }).waitFor({ timeout: 2000 });
    const newName = '东厅主屏';

    await page.evaluate(() => Object.assign(globalThis, { beforeReload: true }));
    const reloaded = page.waitForEvent('framenavigated', { timeout: 2000 });
    const reload = await command({ screenIds: [screen.id], action: 'RELOAD' });
    const reloadAnswered = Date.now();
    await reloaded;
    const reloadMs = Date.now() - reloadAnswered;
    expect(reloadMs).toBeLessThan(2000);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as any).beforeReload)).toBeUndefined();
    // Back with its token and its view, and the reload acknowledged from the new page.
    await page.locator('body[data-view="checkpoints"]').waitFor({ timeout: 5000 });
    await until('the reload acknowledged', async () => (await screenNamed(newName))?.acknowledgedCommandId === reload.commandId);
    expect(await screenNamed(name)).toBeUndefined();
    expect(await page.locator('[data-testid="screen-badge"]').textContent()).toContain('东厅主屏');
    console.info(`reload: page navigating ${reloadMs} ms after the command's answer`);
  });

  it('rotates a playlist of views and changes language on command, keeping both across a reload', async () => {
    const name = '西厅副屏';
    const { page } = await openScreen(name, '西厅');
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    const screen = await until('the screen to report', async () => {
      const s = await screenNamed(name);
      return s?.live && s.reportedAt ? s : null;
    });
    await page.evaluate(() => {
      const seen: { view: string; at: number }[] = [];
      Object.assign(globalThis, { seenViews: seen });
      new MutationObserver(() => {
        const view = document.body.dataset.view ?? '';
        if (seen.at(-1)?.view !== view) seen.push({ view, at: Date.now() });
      }).observe(document.body, { attributes: true, attributeFilter: ['data-view'] });
    });
    await command({ screenIds: [screen.id], action: 'PLAY', playlist: ['PRODUCTION', 'ALERTS'], playlistSeconds: 2 });
    await page.waitForFunction(() => (globalThis as any).seenViews.length >= 3, undefined, { timeout: 8000 });
    const seen = (await page.evaluate(() => (globalThis as any).seenViews)) as { view: string; at: number }[];
    expect(seen.slice(0, 3).map((s) => s.view)).toEqual(['production', 'alerts', 'production']);
    const gaps = [seen[1]!.at - seen[0]!.at, seen[2]!.at - seen[1]!.at];
    // 2 s each, give or take the page's 250 ms tick and a loaded machine's timers.
    for (const gap of gaps) expect(gap).toBeGreaterThan(1500);
    for (const gap of gaps) expect(gap).toBeLessThan(3000);
    console.info(`playlist rotated production → alerts → production, ${gaps.join(' ms, ')} ms apart`);
    await page.locator('body[data-view="alerts"]').waitFor({ timeout: 3000 });
    await page.screenshot({ path: join(artifacts, 'screen-view-alerts.png') });
    await until('the screen to say it plays', async () => (await screenNamed(name)).playing === true);

    const language = await command({ screenIds: [screen.id], action: 'SET_LANGUAGE', language: 'EN' });
    await page.waitForURL(/lang=en/, { timeout: 2000 });
    await page.locator('html[lang="en"]').waitFor({ timeout: 5000 });
    await until('the language acknowledged', async () => {
      const s = await screenNamed(name);
      return s.acknowledgedCommandId === language.commandId && s.shownLanguage === 'EN' && s.playing;
    });
    expect(await page.url()).not.toContain('token=');
  });

  it('reloads a connected page by itself when the server serves a new client build, keeping its token and settings', async () => {
    const name = '北厅副屏';
    const { page } = await openScreen(name, '北厅');
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    const screen = await until('the screen to report', async () => {
      const s = await screenNamed(name);
      return s?.live && s.reportedAt ? s : null;
    });
    await command({ screenIds: [screen.id], action: 'SHOW_VIEW', view: 'PRODUCTION' });
    await page.locator('body[data-view="production"]').waitFor({ timeout: 2000 });
    await page.evaluate(() => Object.assign(globalThis, { oldBuild: true }));

    // A redeploy: the entry script changes, so its hashed name does, and index.html names the new one.
    const indexFile = join(served, 'index.html');
    const html = readFileSync(indexFile, 'utf8');
    const oldEntry = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(html)![1]!;
    const code = `${readFileSync(join(served, oldEntry), 'utf8')}\n// rebuilt for the screens test\n`;
    const newEntry = `/assets/index-${createHash('sha256').update(code).digest('base64url').slice(0, 8)}.js`;
    writeFileSync(join(served, newEntry), code);
    const deployed = Date.now();
    writeFileSync(indexFile, html.replace(oldEntry, newEntry));

    await page.waitForFunction(() => !(globalThis as any).oldBuild, undefined, { timeout: 15_000, polling: 100 });
    console.info(`page reloaded itself ${Date.now() - deployed} ms after the new build was deployed`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => document.querySelector('script[type="module"][src]')?.getAttribute('src'))).toBe(newEntry);
    await page.locator('body[data-view="production"]').waitFor({ timeout: 5000 });
    await until('the registry to show the new build', async () => {
      const s = await screenNamed(name);
      return s.live && s.clientVersion === newEntry;
    });
    const all = (await graphql(server.graphqlUrl, '{ screens { name } }')).data!.screens.filter((s: any) => s.name === name);
    expect(all).toHaveLength(1);
  });

  // Last: it kills the instance the pages connect to.
  it('shows a screen silent by its heartbeat’s age when the instance holding its connection dies without a word', async () => {
    const name = '南厅副屏';
    const { page } = await openScreen(name, '南厅');
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    await until('the screen to be live', async () => (await screenNamed(name))?.live);
    const admin = wsClient(server.url);
    const screens = collect(admin, 'subscription { screens { screens { name live silentSince heartbeatAt } } }', {}, (d) => d.screens);
    try {
      await screens.waitFor((u) => u.screens.some((s: any) => s.name === name && s.live));
      const killed = Date.now();
      await walls.kill();
      const silent = await screens.waitFor((u) => u.screens.some((s: any) => s.name === name && !s.live), 10_000);
      const screen = silent.screens.find((s: any) => s.name === name);
      // Nobody said the connection ended: silent since its last heartbeat, told by the other instance.
      expect(screen.silentSince).toBe(screen.heartbeatAt);
      console.info(`screen silent on the other instance ${Date.now() - killed} ms after its instance was killed (heartbeat 500 ms, silent after 1500 ms)`);
    } finally {
      screens.dispose();
      await admin.dispose();
    }
  });
});
