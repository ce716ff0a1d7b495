// Prints the gzipped size of the JavaScript each page loads before it runs (module script and
// modulepreloads) in client/dist. Run after `pnpm build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const BUDGET = 400 * 1024;
let over = false;
for (const page of ['index.html', 'report.html']) {
  const html = readFileSync(join(dist, page), 'utf8');
  const files = new Set([
    ...[...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]),
  ]);
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const content = readFileSync(join(dist, file.replace(/^\//, '')));
    raw += content.length;
    gzip += gzipSync(content, { level: 9 }).length;
  }
  over ||= gzip > BUDGET;
  console.log(`${page.padEnd(12)} initial JS ${(raw / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB (${files.size} files; budget ${BUDGET / 1024} KiB)`);
}
process.exit(over ? 1 : 0);
