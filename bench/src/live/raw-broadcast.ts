// Baseline for delivered messages/s: a bare `ws` server in its own process. It answers just enough
// of graphql-transport-ws (connection_ack) for the bench's own subscribers to connect unchanged, then
// broadcasts whatever message the control socket gives it, as often as asked, to every subscriber.
// No database, no GraphQL, no per-subscriber work beyond ws.send: the floor of a WebSocket fan-out.
//   node --import tsx bench/src/live/raw-broadcast.ts    (prints "raw broadcast: ws://127.0.0.1:PORT")
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';

/** Sent on /control: broadcast `message` `count` times once `subscribers` have subscribed. */
export interface BroadcastCommand {
  message: string;
  count: number;
  subscribers: number;
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const subscribed = new Set<WebSocket>();

async function broadcast(command: BroadcastCommand): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (subscribed.size < command.subscribers) {
    if (Date.now() > deadline) throw new Error(`only ${subscribed.size} of ${command.subscribers} subscribed`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  let sent = 0;
  for (let i = 0; i < command.count; i++) {
    for (const socket of subscribed) {
      socket.send(command.message);
      sent++;
    }
    // One message to everybody per turn of the event loop, as a server fanning out events does.
    await nextTurn();
  }
  return sent;
}

server.on('connection', (socket, request) => {
  if (request.url === '/control') {
    socket.on('message', (raw: Buffer) => {
      broadcast(JSON.parse(raw.toString()) as BroadcastCommand).then(
        (sent) => socket.send(JSON.stringify({ sent })),
        (error: Error) => socket.send(JSON.stringify({ error: error.message })),
      );
    });
    return;
  }
  socket.on('message', (raw: Buffer) => {
    const message = JSON.parse(raw.toString()) as { type: string };
    if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
    else if (message.type === 'subscribe') subscribed.add(socket);
  });
  socket.on('close', () => subscribed.delete(socket));
});

server.on('listening', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`raw broadcast: ws://127.0.0.1:${port}\n`);
});

process.on('SIGTERM', () => {
  for (const socket of server.clients) socket.terminate();
  server.close(() => process.exit(0));
});
