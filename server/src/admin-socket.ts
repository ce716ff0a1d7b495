import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Role } from '@fangkong/prisma';
import { TokenInputError, type TokenStore } from './auth/tokens.ts';
import type { Logger } from './logger.ts';

// The embedded database admits one process. While the server holds it, `pnpm fangkong token …`
// asks the server over a Unix socket in the data folder; only users who can write that folder can
// connect (the socket is mode 0600), which is the same trust as opening the database itself.

export const adminSocketPath = (dataDir: string) => join(dataDir, 'admin.sock');

export type AdminRequest =
  | { command: 'token:create'; role: Role; scope?: string[]; label?: string; /** ISO instant */ expiresAt?: string }
  | { command: 'token:list' }
  | { command: 'token:revoke'; id: string };

export type AdminResponse = { ok: true; result: unknown } | { ok: false; error: string };

export async function handleAdmin(tokens: TokenStore, request: AdminRequest): Promise<AdminResponse> {
  try {
    switch (request.command) {
      case 'token:create':
        return { ok: true, result: await tokens.create(request) };
      case 'token:list':
        return { ok: true, result: await tokens.list() };
      case 'token:revoke':
        return { ok: true, result: await tokens.revoke(request.id) };
      default:
        return { ok: false, error: 'unknown admin command' };
    }
  } catch (error) {
    return { ok: false, error: error instanceof TokenInputError ? error.message : `failed: ${(error as Error).message}` };
  }
}

export function listenAdminSocket(dataDir: string, tokens: TokenStore, logger: Logger): Promise<Server> {
  const path = adminSocketPath(dataDir);
  if (existsSync(path)) unlinkSync(path);
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.length > 64 * 1024) return void socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let request: AdminRequest;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as AdminRequest;
      } catch {
        return void socket.end(`${JSON.stringify({ ok: false, error: 'malformed request' })}\n`);
      }
      void handleAdmin(tokens, request).then((response) => {
        if (response.ok) logger.info('admin command', { command: request.command });
        socket.end(`${JSON.stringify(response)}\n`);
      });
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      chmodSync(path, 0o600);
      resolve(server);
    });
  });
}

/** Sends one request to a running server; null when none listens on the data folder. */
export function askRunningServer(dataDir: string, request: AdminRequest): Promise<AdminResponse | null> {
  const path = adminSocketPath(dataDir);
  if (!existsSync(path)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(data) as AdminResponse);
      } catch {
        resolve({ ok: false, error: 'the running server gave no answer' });
      }
    });
    // A socket file left by a crashed server: nobody listens, so open the database directly.
    socket.on('error', () => resolve(null));
  });
}
