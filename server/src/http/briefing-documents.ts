// The documents of an issued briefing at readable addresses:
//   /briefings/<area>/<day>            the latest version's print page (HTML, A4)
//   /briefings/<area>/<day>/v<n>       version n
//   … .docx                            the same briefing as a Word document
//   ?lang=en                           in English (Chinese by default)
// Each is made from the published PartnerBriefing operation, run through the GraphQL endpoint with
// the caller's own Authorization header: the same token check, rate limit, access rules (partners
// and displays may read issued briefings) and audit as any query, and never personal data.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@fangkong/zone';
import { loadPersistedOperations, type PersistedOperations } from '../auth/persisted-operations.ts';
import type { FangkongYoga } from '../yoga.ts';
import { renderBriefingDocx } from './briefing-docx.ts';
import { renderBriefingPage } from './briefing-page.ts';
import type { BriefingDocument, Lang } from './briefing-text.ts';

const ROUTE = /^\/briefings\/([^/]+)\/(\d{4}-\d{2}-\d{2})(?:\/v(\d{1,6}))?(\.docx|\.html)?$/;

/** Only the page's own inline styles; nothing is loaded from anywhere. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export interface BriefingDocumentsOptions {
  yoga: FangkongYoga;
  /** The published operations; PartnerBriefing is the one read. @default the server's manifest */
  persisted?: PersistedOperations;
}

/** A handler answering GET/HEAD under /briefings/; returns false for every other path. */
export function createBriefingDocuments({ yoga, persisted = loadPersistedOperations() }: BriefingDocumentsOptions) {
  const query = [...persisted.byHash.values()].find((text) => text.startsWith('query PartnerBriefing('));
  if (!query) throw new Error('server/persisted-operations.json has no PartnerBriefing operation');

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/briefings/')) return false;
    void answer(req, res, url).catch(() => {
      if (!res.headersSent) plain(res, 500, 'the briefing could not be made');
      else res.destroy();
    });
    return true;
  };

  async function answer(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'GET only', { allow: 'GET, HEAD' });
    const match = ROUTE.exec(url.pathname);
    if (!match) return plain(res, 404, 'not a briefing: /briefings/<area>/<YYYY-MM-DD>[/v<n>][.docx]');
    const [, area, day, version, extension] = match as unknown as [string, string, string, string | undefined, string | undefined];
    const lang: Lang = url.searchParams.get('lang') === 'en' ? 'en' : 'zh';
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      },
      body: JSON.stringify({
        query,
        variables: { day, areaId: Buffer.from(`Area:${decodeURIComponent(area)}`).toString('base64'), version: version ? Number(version) : null },
      }),
    });
    const result = (await response.json()) as { data?: { briefing: BriefingDocument | null } | null; errors?: { message: string; extensions?: { code?: string } }[] };
    const error = result.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      const status = response.status >= 400 ? response.status : code === ErrorCode.Forbidden ? 403 : code === ErrorCode.Unauthenticated ? 401 : 400;
      return plain(res, status, error.message, response.headers.get('retry-after') ? { 'retry-after': response.headers.get('retry-after')! } : {});
    }
    const briefing = result.data?.briefing;
    if (!briefing) return plain(res, 404, `no briefing of ${day}${version ? ` version ${version}` : ''} was issued for ${area}`);
    // A version never changes: its documents may be kept (by this caller only: they need a token).
    const cache = version ? 'private, max-age=86400' : 'private, no-cache';
    if (extension === '.docx') {
      const file = await renderBriefingDocx(briefing, lang);
      const name = `briefing-${briefing.area.slug}-${briefing.day}-no${briefing.number}-v${briefing.version}${lang === 'en' ? '-en' : ''}.docx`;
      const zhName = `专题简报-第${briefing.number}期-${briefing.day}-v${briefing.version}${lang === 'en' ? '-en' : ''}.docx`;
      res.writeHead(200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'content-disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(lang === 'zh' ? zhName : name)}`,
        'content-length': file.length,
        'cache-control': cache,
      });
      return void res.end(req.method === 'HEAD' ? undefined : file);
    }
    const page = Buffer.from(renderBriefingPage(briefing, lang));
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': page.length,
      'content-security-policy': PAGE_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': cache,
      'content-language': lang === 'zh' ? 'zh-CN' : 'en',
    });
    res.end(req.method === 'HEAD' ? undefined : page);
  }
}

function plain(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${message}\n`);
}
