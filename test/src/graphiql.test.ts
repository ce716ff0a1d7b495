import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from './support/browser.ts';
import { pinnedClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { freshPeriod, reportCounts } from './support/reporting.ts';
import { createToken, startServer, type RunningServer } from './support/server.ts';

// GraphiQL as an analyst on an intranet meets it: the browser may reach this server and nothing else.
// The page must open, ask for a token instead of failing, hold Fangkong's example operations, run a
// query and a live subscription.
describe.skipIf(!browserAvailable())('GraphiQL with no network but the server', () => {
  let server: RunningServer;
  let dir: ReturnType<typeof tempDir>;
  let browser: Browser;
  let token: string;
  const outside: string[] = [];
  const artifacts = join(repoRoot, 'test/artifacts');
  const clock = pinnedClock('14:30');

  beforeAll(async () => {
    dir = tempDir('graphiql');
    const env = { FANGKONG_DATA_DIR: dir.path, FANGKONG_CLOCK_START: clock.start };
    server = await startServer(env);
    token = await createToken(env, 'analyst', [], 'graphiql test');
    browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir?.remove();
  });

  async function offlinePage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // Everything but this server is unreachable, as on a government intranet.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'blob:' || url.protocol === 'data:' || url.origin === new URL(server.url).origin) return route.continue();
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    return context.newPage();
  }

  const editorText = async (page: Page, selector: string) => ((await page.locator(`${selector} .view-lines`).first().textContent()) ?? '').replace(/\u00a0/g, ' ');

  /**
   * Gives the token and waits until GraphiQL can run an operation: the schema introspected and the
   * response editor mounted. Its editors load lazily, and the ▶ button does nothing until the
   * response editor exists; on a loaded machine a click before that is lost.
   */
  async function signIn(page: Page, value: string): Promise<void> {
    const introspected = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('IntrospectionQuery'), { timeout: 60_000 });
    await page.locator('#fangkong-token-input').fill(value);
    await page.locator('#fangkong-token button[type=submit]').click();
    expect((await introspected).status()).toBe(200);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-response .monaco-editor').first().waitFor({ timeout: 30_000 });
  }

  it('asks for a token, refuses a wrong one, then opens on the example operations and runs a query', async () => {
    const page = await offlinePage();
    await page.goto(server.graphqlUrl, { waitUntil: 'load' });
    const input = page.locator('#fangkong-token-input');
    await input.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(artifacts, 'graphiql-token.png') });

    await input.fill('fk_this-is-not-a-token-of-this-server-000000000');
    await page.locator('#fangkong-token button[type=submit]').click();
    await expect.poll(() => page.locator('#fangkong-token-error').textContent()).toMatch(/refused this token \(401\)/);

    await signIn(page, token);
    await expect.poll(() => editorText(page, '.graphiql-query-editor'), { timeout: 20_000 }).toContain('query ZoneToday');
    // The schema was introspected with the token: the docs explorer knows the root types.
    await page.getByRole('button', { name: /documentation/i }).first().click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').textContent(), { timeout: 20_000 }).toMatch(/Query/);

    // Run the first operation of the tab: GraphiQL asks which one, the tab holding several.
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'ZoneToday' }).click();
    await expect.poll(() => editorText(page, '.graphiql-response'), { timeout: 30_000 }).toContain('"checkpointTotals"');
    const response = await editorText(page, '.graphiql-response');
    expect(response).not.toContain('UNAUTHENTICATED');
    await page.screenshot({ path: join(artifacts, 'graphiql-query.png') });
    expect(outside, 'requests that left the machine').toEqual([]);
    await page.context().close();
  }, 120_000);

  it('runs the live subscription tab and shows a report arriving', async () => {
    const page = await offlinePage();
    await page.goto(server.graphqlUrl, { waitUntil: 'load' });
    // A new browser context: the token is asked for again (it lives in that browser's storage).
    await signIn(page, token);
    await page.locator('.graphiql-tab').nth(1).click();
    await expect.poll(() => editorText(page, '.graphiql-query-editor'), { timeout: 20_000 }).toContain('subscription LiveZone');
    // A click GraphiQL takes before it is ready to run does nothing: click again until the subscription
    // goes out (never once it has: a second click would stop it).
    let sent = false;
    page.on('request', (r) => {
      if (r.url().includes('subscription+LiveZone')) sent = true;
    });
    for (let attempt = 0; attempt < 10 && !sent; attempt++) {
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => sent, { timeout: 3_000 }).toBe(true).catch(() => {});
    }
    expect(sent, 'the subscription request never went out').toBe(true);
    await expect.poll(() => editorText(page, '.graphiql-response'), { timeout: 60_000 }).toContain('"peopleScreened"');
    const screened = async () => Number(/"peopleScreened":\s*(\d+)/.exec(await editorText(page, '.graphiql-response'))?.[1]);
    const before = await screened();

    const result = await reportCounts(server.graphqlUrl, {
      checkpointId: globalId('Checkpoint', 'yingbin-road-exit'),
      ...freshPeriod(clock.now()),
      idempotencyKey: randomUUID(),
      peopleScreened: 321,
    });
    expect(result.__typename).toBe('CheckpointReportPayload');
    await expect.poll(screened, { timeout: 15_000 }).toBe(before + 321);
    const shot = await page.screenshot({ path: join(artifacts, 'graphiql-subscription.png') });
    writeFileSync(join(artifacts, 'graphiql-subscription.txt'), await editorText(page, '.graphiql-response'));
    expect(shot.length).toBeGreaterThan(10_000);
    expect(outside, 'requests that left the machine').toEqual([]);
    await page.context().close();
  }, 120_000);
});
