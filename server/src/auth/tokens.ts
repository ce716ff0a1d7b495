import { createHash, randomBytes } from 'node:crypto';
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
  lastUsedAt: Date | null;
}

export class TokenInputError extends Error {}

/** Who a bearer token stands for, or why it stands for no one. */
export type TokenCheck = { viewer: Viewer; failure?: undefined } | { viewer: null; failure: 'unknown' | 'revoked' };

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

  constructor(
    private readonly prisma: PrismaClient,
    /** How long a verified token is trusted without asking the database. @default 5000 */
    private readonly cacheMs = 5000,
  ) {}

  async create(input: { role: Role; scope?: string[]; label?: string }): Promise<{ token: string; info: TokenInfo }> {
    if (!ROLES.includes(input.role)) throw new TokenInputError(`--role: one of ${ROLES.map((r) => r.toLowerCase()).join(', ')}`);
    const scope = [...new Set(input.scope ?? [])];
    await checkScope(this.prisma, input.role, scope);
    const label = input.label?.trim() || `${input.role.toLowerCase()} ${new Date().toISOString().slice(0, 10)}`;
    if (label.length > 100) throw new TokenInputError('--label: at most 100 characters');
    const token = generateToken();
    const row = await this.prisma.apiToken.create({ data: { tokenHash: hashToken(token), role: input.role, scope, label } });
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
    return toInfo(revoked);
  }

  /** The viewer a bearer token stands for, or null when unknown or revoked. */
  async verify(token: string): Promise<Viewer | null> {
    return (await this.check(token)).viewer;
  }

  /** The viewer a bearer token stands for, or whether it is unknown or was revoked. */
  async check(token: string): Promise<TokenCheck> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.check;
    const row = await this.prisma.apiToken.findUnique({ where: { tokenHash: hash } });
    let check: TokenCheck;
    if (!row) check = { viewer: null, failure: 'unknown' };
    else if (row.revokedAt) check = { viewer: null, failure: 'revoked' };
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
    this.cache.set(hash, { check, until: Date.now() + this.cacheMs });
    return check;
  }
}

function toInfo(row: { id: string; role: Role; scope: string[]; label: string; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null }): TokenInfo {
  return { id: row.id, role: row.role, scope: row.scope, label: row.label, createdAt: row.createdAt, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt };
}

/** "Bearer fk_…" → "fk_…"; anything else → null. */
export function bearer(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}
