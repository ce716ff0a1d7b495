import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PrismaClient, Role } from '@fangkong/prisma';
import type { Viewer } from '@fangkong/schema';

export const ROLES: Role[] = ['ADMIN', 'COMMANDER', 'ANALYST', 'OPERATOR', 'HEALTH', 'PARTNER', 'DISPLAY'];

/** An opaque bearer token: a prefix to recognise it in logs and leaks, and 256 random bits. */
export function generateToken(): string {
  return `fk_${randomBytes(32).toString('base64url')}`;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TokenInfo {
  id: string;
  role: Role;
  scope: string[];
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
  /** After this instant the token is refused, as if revoked; null: no expiry. */
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** Why a token stopped working while it was in use. */
export type TokenEnd = 'revoked' | 'expired';

export class TokenInputError extends Error {}

/** Who a bearer token stands for, or why it stands for no one. */
export type TokenCheck = { viewer: Viewer; failure?: undefined } | { viewer: null; failure: 'unknown' | 'revoked' | 'expired' };

/** Checks a new token's role and scope against the data: operators name checkpoints or lines, health staff name areas. */
async function checkScope(prisma: PrismaClient, role: Role, scope: string[]): Promise<void> {
  if (role === 'OPERATOR' || role === 'HEALTH') {
    if (!scope.length) throw new TokenInputError(`--scope: a ${role.toLowerCase()} token needs at least one id`);
  } else if (scope.length) {
    throw new TokenInputError(`--scope: only operator and health tokens take a scope`);
  }
  const known =
    role === 'OPERATOR'
      ? [
          ...(await prisma.checkpoint.findMany({ where: { id: { in: scope } }, select: { id: true } })),
          ...(await prisma.productionLine.findMany({ where: { id: { in: scope } }, select: { id: true } })),
        ]
      : role === 'HEALTH'
        ? await prisma.area.findMany({ where: { id: { in: scope } }, select: { id: true } })
        : [];
  const missing = scope.filter((id) => !known.some((k) => k.id === id));
  if (missing.length) {
    throw new TokenInputError(`--scope: unknown ${role === 'HEALTH' ? 'area' : 'checkpoint or production line'} ${missing.join(', ')}`);
  }
}

/** Creates, lists, revokes and verifies API tokens; only hashes are stored. */
export class TokenStore {
  private readonly cache = new Map<string, { check: TokenCheck; until: number }>();
  private readonly revocations = new EventEmitter();

  constructor(
    private readonly prisma: PrismaClient,
    /** How long a verified token is trusted without asking the database. @default 5000 */
    private readonly cacheMs = 5000,
  ) {}

  async create(input: { role: Role; scope?: string[]; label?: string; expiresAt?: Date | string }): Promise<{ token: string; info: TokenInfo }> {
    if (!ROLES.includes(input.role)) throw new TokenInputError(`--role: one of ${ROLES.map((r) => r.toLowerCase()).join(', ')}`);
    const scope = [...new Set(input.scope ?? [])];
    await checkScope(this.prisma, input.role, scope);
    const label = input.label?.trim() || `${input.role.toLowerCase()} ${new Date().toISOString().slice(0, 10)}`;
    if (label.length > 100) throw new TokenInputError('--label: at most 100 characters');
    // A string when the request came through the admin socket (JSON).
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
    if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
      throw new TokenInputError('--expires-at/--expires-in: the expiry must be an instant in the future');
    }
    const token = generateToken();
    const row = await this.prisma.apiToken.create({ data: { tokenHash: hashToken(token), role: input.role, scope, label, expiresAt } });
    return { token, info: toInfo(row) };
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.prisma.apiToken.findMany({ orderBy: { createdAt: 'asc' } })).map(toInfo);
  }

  async revoke(id: string): Promise<TokenInfo> {
    const row = await this.prisma.apiToken.findUnique({ where: { id } });
    if (!row) throw new TokenInputError(`no token with id ${id}`);
    const revoked = row.revokedAt ? row : await this.prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    this.cache.clear();
    // This instance ends the token's live connections at once; others learn it from ended().
    this.revocations.emit('revoked', id);
    return toInfo(revoked);
  }

  /** Called with the id of each token revoked through this store (this process). */
  onRevoked(listener: (id: string) => void): void {
    this.revocations.on('revoked', listener);
  }

  /**
   * Which of these tokens no longer work, and why: revoked (or deleted) or expired, by the real
   * clock. One indexed query, whoever revoked them (this process, another instance, the CLI).
   */
  async ended(ids: string[]): Promise<Map<string, TokenEnd>> {
    const rows = await this.prisma.apiToken.findMany({ where: { id: { in: ids } }, select: { id: true, revokedAt: true, expiresAt: true } });
    const now = Date.now();
    const ended = new Map<string, TokenEnd>(ids.map((id) => [id, 'revoked']));
    for (const row of rows) {
      if (row.revokedAt) continue;
      if (row.expiresAt && row.expiresAt.getTime() <= now) ended.set(row.id, 'expired');
      else ended.delete(row.id);
    }
    // Another instance or the CLI revoked them: stop trusting cached verifications now.
    if (ended.size) this.cache.clear();
    return ended;
  }

  /** The viewer a bearer token stands for, or null when unknown, revoked or expired. */
  async verify(token: string): Promise<Viewer | null> {
    return (await this.check(token)).viewer;
  }

  /** The viewer a bearer token stands for, or whether it is unknown, was revoked or has expired. */
  async check(token: string): Promise<TokenCheck> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.check;
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash: hash } });
    let check: TokenCheck;
    // Expiry is by the real clock, never the demo clock (FANGKONG_CLOCK_START): it is a security bound.
    const expiresAt = row?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    if (!row) check = { viewer: null, failure: 'unknown' };
    else if (row.revokedAt) check = { viewer: null, failure: 'revoked' };
    else if (expiresAt <= Date.now()) check = { viewer: null, failure: 'expired' };
    else {
      const viewer: Viewer = { tokenId: row.id, role: row.role, scope: row.scope, label: row.label, compoundIds: [] };
      if (row.role === 'HEALTH') {
        // Areas expand to every compound below them, once per verification.
        const compounds = await this.prisma.area.findMany({
          where: { level: 'COMPOUND', OR: row.scope.map((id) => ({ path: { contains: `/${id}/` } })) },
          select: { id: true },
        });
        viewer.compoundIds = compounds.map((c) => c.id);
      }
      check = { viewer };
      void this.prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
    }
    if (this.cache.size > 10_000) this.cache.clear();
    // A valid token is trusted no longer than until it expires.
    this.cache.set(hash, { check, until: check.viewer ? Math.min(Date.now() + this.cacheMs, expiresAt) : Date.now() + this.cacheMs });
    return check;
  }
}

function toInfo(row: { id: string; role: Role; scope: string[]; label: string; createdAt: Date; revokedAt: Date | null; expiresAt: Date | null; lastUsedAt: Date | null }): TokenInfo {
  return { id: row.id, role: row.role, scope: row.scope, label: row.label, createdAt: row.createdAt, revokedAt: row.revokedAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt };
}

/** "Bearer fk_…" → "fk_…"; anything else → null. */
export function bearer(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
