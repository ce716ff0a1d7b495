import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  name: string;
  /** The GraphQL endpoint the child printed. */
  url: string;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited after 15 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Matched against stdout; group 1 is the URL. */
  ready: RegExp;
  /** @default 120_000 */
  timeoutMs?: number;
}

/** Starts `node <args>` and resolves once it prints its URL; rejects with its output if it dies first. */
export function startChild(name: string, args: string[], options: StartOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise<ChildServer>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} ${reason}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${(options.timeoutMs ?? 120_000) / 1000} s`), options.timeoutMs ?? 120_000);
    const early = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${code ?? signal}) before it was ready`);
    child.once('exit', early);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-8000);
      const match = options.ready.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      resolve({ name, url: match[1], pid: child.pid!, stop: () => stopChild(child, exited) });
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
