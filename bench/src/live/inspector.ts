// A full garbage collection in a server started with --inspect, then its heap and RSS: without it,
// what a thousand subscribers cost drowns in whatever garbage the last GC happened to leave.
import WebSocket from 'ws';
import { rssKiB } from './server.ts';

export interface HeapReading {
  /** V8 heap in use after the collection, bytes. */
  heapUsed: number;
  /** Memory outside the heap held by JavaScript objects (Buffers and other ArrayBuffers), bytes. */
  external: number;
  /** VmRSS right after the collection, KiB. */
  rssKiB: number;
}

/** Connects to the inspector, collects garbage twice, reads the heap, disconnects. */
export async function heapAfterGc(inspectorUrl: string, pid: number): Promise<HeapReading> {
  const socket = new WebSocket(inspectorUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const pending = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();
  socket.on('message', (raw: Buffer) => {
    const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    const call = message.id === undefined ? undefined : pending.get(message.id);
    if (!call) return;
    pending.delete(message.id!);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  let id = 0;
  const call = <T>(method: string, params?: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      pending.set(++id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const usage = await call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    // Read-only: the server's own view of its memory, for what lives outside the heap.
    const evaluated = await call<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const memory = JSON.parse(evaluated.result.value) as { external: number };
    return { heapUsed: usage.usedSize, external: memory.external, rssKiB: rssKiB(pid) };
  } finally {
    socket.close();
  }
}
