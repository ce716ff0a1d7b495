// Baseline for delivered messages/s: a bare `ws` server in its own process. It answers just enough
// of graphql-transport-ws (connection_ack) for the bench's own subscribers to connect unchanged, then
// broadcasts whatever message the control socket gives it, as often as asked, to every subscriber.
// No database, no GraphQL, no per-subscriber work beyond ws.send: the floor of a WebSocket fan-out.
// In its coalescing mode it is the floor of a live aggregate: each `report` on the control socket
// changes a total; at most one update per interval (the first change after a quiet interval goes at
// once, later ones wait for the interval to end, exactly as the server's live values), each update
// serialised once from a real message of ours and sent to every subscriber.
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

/**
 * Sent on /control: from now on coalesce. `template` is a `next` message of a zoneSummary
 * subscription; each update sets its checkpointTotals.reports to the template's plus the reports
 * counted so far. Answered `{ ready: true }` once `subscribers` have subscribed.
 */
export interface CoalesceCommand {
  coalesce: { template: string; intervalMs: number; subscribers: number };
}

/** Sent on /control in coalescing mode: one more report (not answered). */
export interface ReportCommand {
  report: true;
}

interface Coalescing {
  template: { payload: { data: { zoneSummary: { checkpointTotals: { reports: number } } } } };
  base: number;
  intervalMs: number;
  reports: number;
  lastRun: number;
  timer: NodeJS.Timeout | undefined;
}

let coalescing: Coalescing | undefined;

function changed(state: Coalescing): void {
  if (state.timer) return;
  const wait = Math.max(0, state.lastRun + state.intervalMs - Date.now());
  state.timer = setTimeout(() => {
    state.timer = undefined;
    state.lastRun = Date.now();
    state.template.payload.data.zoneSummary.checkpointTotals.reports = state.base + state.reports;
    // Serialised once per update, whatever the number of subscribers.
    const message = JSON.stringify(state.template);
    for (const socket of subscribed) socket.send(message);
  }, wait);
}

async function untilSubscribed(count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (subscribed.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${subscribed.size} of ${count} subscribed`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const subscribed = new Set<WebSocket>();

async function broadcast(command: BroadcastCommand): Promise<number> {
  await untilSubscribed(command.subscribers);
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
      const command = JSON.parse(raw.toString()) as BroadcastCommand | CoalesceCommand | ReportCommand;
      if ('report' in command) {
        if (coalescing) {
          coalescing.reports++;
          changed(coalescing);
        }
        return;
      }
      if ('coalesce' in command) {
        const template = JSON.parse(command.coalesce.template) as Coalescing['template'];
        clearTimeout(coalescing?.timer);
        coalescing = { template, base: template.payload.data.zoneSummary.checkpointTotals.reports, intervalMs: command.coalesce.intervalMs, reports: 0, lastRun: 0, timer: undefined };
        untilSubscribed(command.coalesce.subscribers).then(
          () => socket.send(JSON.stringify({ ready: true })),
          (error: Error) => socket.send(JSON.stringify({ error: error.message })),
        );
        return;
      }
      broadcast(command).then(
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
