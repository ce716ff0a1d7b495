import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientFiles } from '@fangkong/server';
import { tempDir } from './support/processes.ts';

// createClientFiles against a small build folder of its own: routes, types, caching, compression,
// and no way out of the folder.

describe('serving the built client (createClientFiles)', () => {
  const root = tempDir('fangkong-client-files-');
  const dist = join(root.path, 'dist');
  let server: Server;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    mkdirSync(join(dist, '.vite'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>wall</title><script type="module" src="/assets/index-abc.js"></script>');
    writeFileSync(join(dist, 'report.html'), '<!doctype html><title>report</title>');
    writeFileSync(join(dist, 'assets', 'index-abc.js'), `export const x = ${JSON.stringify('x'.repeat(5000))};`);
    writeFileSync(join(dist, 'assets', 'index-abc.css'), 'body{color:red}');
    writeFileSync(join(dist, '.vite', 'manifest.json'), '{}');
    writeFileSync(join(root.path, 'secret.txt'), 'secret');
    symlinkSync(join(root.path, 'secret.txt'), join(dist, 'assets', 'leak.js'));
    const files = createClientFiles(dist)!;
    server = createServer((req, res) => {
      if (files(req, res)) return;
      res.writeHead(404);
      res.end('fell through');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    root.remove();
  });

  it('is null when there is no build', () => {
    expect(createClientFiles(join(root.path, 'nowhere'))).toBeNull();
  });

  it('serves the wall display at / and the report page at /report, always revalidated', async () => {
    for (const [path, title] of [['/', 'wall'], ['/report', 'report'], ['/report/', 'report'], ['/?token=abc', 'wall']] as const) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain(`<title>${title}</title>`);
    }
  });

  it('serves hashed assets immutable, with their types, gzipped when asked', async () => {
    const js = await fetch(`${base}/assets/index-abc.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toContain('xxxx'); // fetch decompresses
    const raw = await rawGet('/assets/index-abc.js', { 'accept-encoding': 'gzip' });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toContain('export const x');
    const css = await fetch(`${base}/assets/index-abc.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers HEAD and a matching If-None-Match without a body', async () => {
    const head = await fetch(`${base}/assets/index-abc.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const etag = head.headers.get('etag')!;
    const again = await fetch(`${base}/assets/index-abc.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('leaves everything else to the caller: /graphql, unknown paths, other methods', async () => {
    for (const path of ['/graphql', '/graphql/stream', '/health', '/assets/missing.js', '/nothing']) {
      expect(await (await fetch(`${base}${path}`)).text(), path).toBe('fell through');
    }
    expect(await (await fetch(`${base}/`, { method: 'POST', body: '{}' })).text()).toBe('fell through');
  });

  it('never serves anything outside the build, hidden files or through a symlink', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%5C..%5Csecret.txt',
      '/assets/%00index-abc.js',
      '/.vite/manifest.json',
      '/assets/leak.js',
      '/assets/%E0%A4%A',
    ]) {
      const response = await rawGet(path);
      expect(response.body.toString(), path).toBe('fell through');
    }
  });

  /** A GET with the path exactly as written (fetch would normalise "..") and no decompression. */
  function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }
});
