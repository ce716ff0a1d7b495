import { once } from 'node:events';
import net from 'node:net';

/**
 * Announces committed outbox seqs on the instances' Redis channel, as a server does after each of its
 * commits, so that the raw baselines' events reach the instances (and their subscribers) as soon as
 * ours do, not on the next poll: the live work they start is then the same on both sides. A bare
 * RESP client over a socket (the bench has no Redis library); replies are read and dropped.
 */
export async function redisAnnouncer(url: string, channel: string): Promise<{ announce(seq: string): void; close(): void }> {
  const target = new URL(url);
  const socket = net.connect(Number(target.port || 6379), target.hostname);
  socket.setNoDelay(true);
  await once(socket, 'connect');
  socket.on('data', () => {});
  socket.on('error', () => {});
  const command = (...args: string[]) => `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
  if (target.password) {
    socket.write(target.username ? command('AUTH', decodeURIComponent(target.username), decodeURIComponent(target.password)) : command('AUTH', decodeURIComponent(target.password)));
  }
  return {
    announce: (seq) => void socket.write(command('PUBLISH', channel, seq)),
    close: () => void socket.end(),
  };
}
