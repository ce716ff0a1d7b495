import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium package (`apt-get install -y chromium`); Playwright cannot download browsers here. */
export const chromiumPath = process.env.FANGKONG_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether browser tests run: only with a Chromium binary, and FANGKONG_REQUIRE_BROWSER=1 turns a
 * missing one into a failure instead of a skip.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.FANGKONG_REQUIRE_BROWSER === '1') {
    throw new Error(`FANGKONG_REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath} (apt-get update && apt-get install -y chromium)`);
  }
  console.warn(`browser tests skipped: no Chromium at ${chromiumPath} (apt-get update && apt-get install -y chromium, or set FANGKONG_REQUIRE_BROWSER=1 to fail instead)`);
  return false;
}

/**
 * Headless Chromium with the flags this closed network needs (no background traffic); a fresh profile
 * per launch. `extraArgs`: more flags (a fake camera: `--use-fake-device-for-media-stream`, …).
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}

export interface ImageStats {
  width: number;
  height: number;
  /** Distinct colours among sampled pixels. */
  distinctColors: number;
  /** Standard deviation of luminance (0–255) over sampled pixels. */
  luminanceStdDev: number;
}

/** Decodes a PNG in the browser and measures it, to tell a real page from a blank one. */
export async function imageStats(browser: Browser, png: Buffer): Promise<ImageStats> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (dataUrl) => {
      const g = globalThis as any; // runs in the page
      const img = new g.Image();
      img.src = dataUrl;
      await img.decode();
      const canvas = g.document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data: Uint8ClampedArray = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      let sum = 0;
      let sumSq = 0;
      let n = 0;
      for (let i = 0; i < data.length; i += 4 * 7) {
        const r = data[i]!;
        const gr = data[i + 1]!;
        const b = data[i + 2]!;
        colours.add((r << 16) | (gr << 8) | b);
        const y = 0.2126 * r + 0.7152 * gr + 0.0722 * b;
        sum += y;
        sumSq += y * y;
        n++;
      }
      const mean = sum / n;
      return { width: canvas.width, height: canvas.height, distinctColors: colours.size, luminanceStdDev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
    }, `data:image/png;base64,${png.toString('base64')}`);
  } finally {
    await page.close();
  }
}

/** Gzipped bytes of the JavaScript a page loads before it runs: its module script and modulepreloads. */
export function initialJsGzipBytes(distDir: string, html: string): { files: string[]; bytes: number; gzipBytes: number } {
  const text = readFileSync(join(distDir, html), 'utf8');
  const files = new Set<string>();
  for (const match of text.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(match[1]!);
  for (const match of text.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(match[1]!);
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const content = readFileSync(join(distDir, file.replace(/^\//, '')));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { files: [...files], bytes, gzipBytes };
}

/** A wall display opened in its own context, with every value the server sent it over the WebSocket. */
export interface RecordedWall {
  page: Page;
  /** Each `next` payload's data, in arrival order (the figures with their own asOf). */
  received: Record<string, any>[];
  /** The newest value of one root field the wall received. */
  latest(field: string): any;
  close(): Promise<void>;
}

/**
 * Opens the wall at `url` (token and options in its query) in a browser on London time, so any time
 * it shows must be the zone's, from the server's values; resolves once it is live.
 */
export async function openRecordedWall(browser: Browser, url: string, { width, height, lang }: { width: number; height: number; lang: 'zh' | 'en' }): Promise<RecordedWall> {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId: 'Europe/London', locale: lang === 'zh' ? 'zh-CN' : 'en-GB' });
  const page = await context.newPage();
  const received: Record<string, any>[] = [];
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((message) => upstream.send(message));
    upstream.onMessage((message) => {
      const parsed = JSON.parse(String(message));
      if (parsed.type === 'next' && parsed.payload?.data) received.push(parsed.payload.data);
      ws.send(message);
    });
  });
  await page.goto(`${url}${lang === 'en' ? '&lang=en' : ''}`);
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.connection === 'live', null, { timeout: 15_000 });
  return { page, received, latest: (field) => received.filter((d) => d[field]).at(-1)?.[field], close: () => context.close() };
}

/**
 * Waits until nothing on the page is in the middle of a transition (ranking rows sliding to a new
 * rank, bars growing, alerts fading in), so that a screenshot shows the page as a viewer sees it
 * between updates rather than one frame of a slide. Endless animations (a pulsing badge) do not count.
 */
export async function untilStill(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.waitForFunction(
    () => document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Number.POSITIVE_INFINITY),
    undefined,
    { timeout: timeoutMs, polling: 100 },
  );
}
