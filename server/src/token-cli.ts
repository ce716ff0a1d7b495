import { parseArgs } from 'node:util';
import { applyMigrations, ConfigError, databaseConfigFromEnv, openDatabase, type Role, seedDatabase } from '@fangkong/prisma';
import { type AdminRequest, type AdminResponse, askRunningServer, handleAdmin } from './admin-socket.ts';
import { ROLES, type TokenInfo, TokenStore } from './auth/tokens.ts';

const USAGE =
  'usage: pnpm fangkong token create --role <role> [--scope <id,…>] [--label <text>] [--expires-in <n>s|m|h|d | --expires-at <ISO instant>] | token list | token revoke <id>';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--expires-in 8h` or `--expires-at 2026-12-31T18:00:00+08:00` → the ISO instant; neither → undefined. */
function expiryOf(expiresIn: string | undefined, expiresAt: string | undefined, now = Date.now()): string | undefined {
  if (expiresIn !== undefined && expiresAt !== undefined) throw new ConfigError('give --expires-in or --expires-at, not both');
  if (expiresIn !== undefined) {
    const match = /^(\d+)\s*([smhd])$/.exec(expiresIn.trim());
    if (!match || Number(match[1]) === 0) throw new ConfigError('--expires-in: a positive duration such as 90s, 30m, 8h or 7d');
    return new Date(now + Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]).toISOString();
  }
  if (expiresAt !== undefined) {
    const at = new Date(expiresAt);
    if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d\d:?\d\d$/.test(expiresAt.trim())) throw new ConfigError('--expires-at: an ISO instant with its offset, e.g. 2026-12-31T18:00:00+08:00');
    return at.toISOString();
  }
  return undefined;
}

/**
 * `pnpm fangkong token …` on the configured database. With the embedded database held by a running
 * server, the command goes through that server's admin socket instead.
 */
export async function tokenCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const request = parseRequest(sub, rest);
  const config = databaseConfigFromEnv();
  let response: AdminResponse | null = config.databaseUrl ? null : await askRunningServer(config.dataDir, request);
  if (!response) {
    const db = await openDatabase(config);
    try {
      // Scopes name checkpoints, lines and areas: make sure the reference data is there.
      await applyMigrations(db);
      await seedDatabase(db.prisma);
      response = await handleAdmin(new TokenStore(db.prisma), request);
    } finally {
      await db.close();
    }
  }
  if (!response.ok) throw new ConfigError(response.error);
  print(request, response.result);
}

function parseRequest(sub: string | undefined, rest: string[]): AdminRequest {
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: 'string' }, scope: { type: 'string' }, label: { type: 'string' }, 'expires-in': { type: 'string' }, 'expires-at': { type: 'string' } },
        strict: true,
      });
      const role = values.role?.toUpperCase() as Role | undefined;
      if (!role || !ROLES.includes(role)) throw new ConfigError(`--role: one of ${ROLES.map((r) => r.toLowerCase()).join(', ')}`);
      const scope = values.scope ? values.scope.split(',').map((s) => s.trim()).filter(Boolean) : [];
      return { command: 'token:create', role, scope, label: values.label, expiresAt: expiryOf(values['expires-in'], values['expires-at']) };
    }
    case 'list':
      return { command: 'token:list' };
    case 'revoke':
      if (!rest[0]) throw new ConfigError(USAGE);
      return { command: 'token:revoke', id: rest[0] };
    default:
      throw new ConfigError(USAGE);
  }
}

function print(request: AdminRequest, result: unknown): void {
  if (request.command === 'token:create') {
    const { token, info } = result as { token: string; info: TokenInfo };
    // The token alone on stdout, so `TOKEN=$(pnpm fangkong token create …)` works; it is shown only now.
    process.stdout.write(`${token}\n`);
    const expiry = info.expiresAt ? `, expiring ${new Date(info.expiresAt).toISOString()}` : '';
    process.stderr.write(`created ${info.role.toLowerCase()} token ${info.id} "${info.label}"${info.scope.length ? ` for ${info.scope.join(', ')}` : ''}${expiry}; store it now, it cannot be shown again\n`);
  } else if (request.command === 'token:list') {
    for (const t of result as TokenInfo[]) {
      const expired = t.expiresAt && new Date(t.expiresAt).getTime() <= Date.now();
      const state = t.revokedAt
        ? `revoked ${new Date(t.revokedAt).toISOString()}`
        : t.expiresAt
          ? `${expired ? 'expired' : 'expires'} ${new Date(t.expiresAt).toISOString()}`
          : 'active';
      process.stdout.write(`${t.id}  ${t.role.toLowerCase().padEnd(9)}  ${state.padEnd(32)}  ${t.label}${t.scope.length ? `  [${t.scope.join(',')}]` : ''}\n`);
    }
  } else {
    const t = result as TokenInfo;
    process.stdout.write(`revoked ${t.id} "${t.label}"\n`);
  }
}
