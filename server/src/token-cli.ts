import { parseArgs } from 'node:util';
import { applyMigrations, ConfigError, databaseConfigFromEnv, openDatabase, type Role, seedDatabase } from '@fangkong/prisma';
import { type AdminRequest, type AdminResponse, askRunningServer, handleAdmin } from './admin-socket.ts';
import { ROLES, type TokenInfo, TokenStore } from './auth/tokens.ts';

const USAGE = 'usage: pnpm fangkong token create --role <role> [--scope <id,…>] [--label <text>] | token list | token revoke <id>';

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
      const { values } = parseArgs({ args: rest, options: { role: { type: 'string' }, scope: { type: 'string' }, label: { type: 'string' } }, strict: true });
      const role = values.role?.toUpperCase() as Role | undefined;
      if (!role || !ROLES.includes(role)) throw new ConfigError(`--role: one of ${ROLES.map((r) => r.toLowerCase()).join(', ')}`);
      const scope = values.scope ? values.scope.split(',').map((s) => s.trim()).filter(Boolean) : [];
      return { command: 'token:create', role, scope, label: values.label };
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
    process.stderr.write(`created ${info.role.toLowerCase()} token ${info.id} "${info.label}"${info.scope.length ? ` for ${info.scope.join(', ')}` : ''}; store it now, it cannot be shown again\n`);
  } else if (request.command === 'token:list') {
    for (const t of result as TokenInfo[]) {
      const state = t.revokedAt ? `revoked ${new Date(t.revokedAt).toISOString()}` : 'active';
      process.stdout.write(`${t.id}  ${t.role.toLowerCase().padEnd(9)}  ${state.padEnd(32)}  ${t.label}${t.scope.length ? `  [${t.scope.join(',')}]` : ''}\n`);
    }
  } else {
    const t = result as TokenInfo;
    process.stdout.write(`revoked ${t.id} "${t.label}"\n`);
  }
}
