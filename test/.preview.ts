import { createClientFiles } from '../server/src/transports/static-client.ts';
import { launchChromium, serveClient } from './src/support/browser.ts';

const api = process.env.API ?? 'http://127.0.0.1:4100';
const files = createClientFiles('../client/dist')!;
const origin = await serveClient(files, () => api);
const browser = await launchChromium();
const w = Number(process.env.W ?? 1920), h = Number(process.env.H ?? 1080);
const page = await browser.newPage({ viewport: { width: w, height: h } });
page.on('console', (m) => console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
page.on('requestfailed', (r) => console.log('requestfailed:', r.url(), r.failure()?.errorText));
await page.goto(`${origin.url}/?token=${process.env.TOKEN}${process.env.LANG_EN ? '&lang=en' : ''}`);
try { await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 15000 }); } catch (e) { console.log('not ready'); }
await page.waitForTimeout(Number(process.env.WAIT ?? 4000));
await page.screenshot({ path: process.env.OUT ?? '/tmp/wall.png' });
await page.locator('.panel-chart').screenshot({ path: '/tmp/chart.png' });
console.log('url after token', page.url(), await page.evaluate(() => document.body.dataset.connection));
if (!process.env.NOREPORT) {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  phone.on('pageerror', (e) => console.log('report pageerror:', e.message));
  await phone.goto(`${origin.url}/report${process.env.LANG_EN ? '?lang=en' : ''}`);
  await phone.waitForTimeout(2000);
  await phone.screenshot({ path: '/tmp/report.png', fullPage: true });
}
await browser.close();
await origin.close();
