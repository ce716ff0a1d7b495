// The built client (wall display and report page), served by the API process itself so one command
// runs everything. Kept hand-written rather than on sirv: sirv serves only precompressed siblings
// (.gz files a build step would have to make), while this compresses on first request and caches;
// the whole of it is the cache policy below, the two pages' routes and a path check.
import { createReadStream, existsSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Hashed build output never changes under its name: cache it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Pages name the current assets: always revalidate. */
const REVALIDATE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Text types worth compressing on the way out. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest']);

/** Pages by route: the wall display at `/`, the operator's report page at `/report`, the gate keeper's page at `/gate` and the pass card sheet at `/gate/cards`. */
const ROUTES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/report': 'report.html',
  '/report/': 'report.html',
  '/report.html': 'report.html',
  '/gate': 'gate.html',
  '/gate/': 'gate.html',
  '/gate.html': 'gate.html',
  '/gate/cards': 'gate-cards.html',
  '/gate-cards.html': 'gate-cards.html',
};

/** Compressed copies are kept per file version; the build output is small and fixed. */
const MAX_CACHED_BYTES = 32 * 1024 * 1024;

/**
 * Serves the built client (`pnpm --filter @fangkong/client build` → client/dist): the wall display
 * at `/`, the report page at `/report`, and `/assets/*` with immutable caching. Returns a handler
 * that answers GET/HEAD for those and returns false for everything else (so the caller can carry on
 * with /graphql, /health, its 404), or null when the build is missing.
 */
export function createClientFiles(distDir: string): ((req: IncomingMessage, res: ServerResponse) => boolean) | null {
  const root = resolve(distDir);
  if (!existsSync(join(root, 'index.html'))) return null;
  const realRoot = realpathSync(root);
  const gzipCache = new Map<string, Buffer>();
  let cachedBytes = 0;

  /** The file a URL path names inside the build, or null (outside it, hidden, missing, a folder). */
  function locate(pathname: string): { file: string; stats: Stats; route: boolean } | null {
    const route = ROUTES[pathname];
    let relative: string;
    if (route) relative = route;
    else {
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        return null;
      }
      if (decoded.includes('\0') || decoded.includes('\\')) return null;
      const segments = decoded.split('/').filter(Boolean);
      // No "..", no dot-files: only what the build wrote.
      if (segments.length === 0 || segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return null;
      relative = segments.join('/');
    }
    const file = resolve(root, relative);
    if (file !== root && !file.startsWith(root + sep)) return null;
    let stats: Stats;
    let real: string;
    try {
      stats = statSync(file);
      real = realpathSync(file);
    } catch {
      return null;
    }
    if (!stats.isFile() || !(real === realRoot || real.startsWith(realRoot + sep))) return null;
    return { file, stats, route: !!route };
  }

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return false;
    }
    if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return false;
    const found = locate(pathname);
    if (!found) return false;

    const ext = extname(found.file).toLowerCase();
    const isAsset = pathname.startsWith('/assets/');
    const etag = `W/"${found.stats.size.toString(16)}-${Math.floor(found.stats.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'cache-control': isAsset ? IMMUTABLE : REVALIDATE,
      etag,
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    };
    if (ext === '.html') {
      headers['referrer-policy'] = 'no-referrer';
      headers['x-frame-options'] = 'DENY';
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }

    const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && found.stats.size > 1024;
    if (gzip) {
      const key = `${found.file}|${etag}`;
      let body = gzipCache.get(key);
      if (!body) {
        try {
          // Synchronous on purpose: once per file version, then served from memory.
          body = gzipSync(readFileSync(found.file));
        } catch {
          return false;
        }
        if (cachedBytes + body.length > MAX_CACHED_BYTES) {
          gzipCache.clear();
          cachedBytes = 0;
        }
        gzipCache.set(key, body);
        cachedBytes += body.length;
      }
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }

    res.writeHead(200, { ...headers, 'content-length': String(found.stats.size) });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };
}
