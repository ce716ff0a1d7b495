import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from './support/live.ts';
import { repoRoot, run, tempDir } from './support/processes.ts';

// The README's quick start, in a fresh clone: `pnpm install && pnpm start`. Then a live update
// arrives over WebSocket, Ctrl-C stops everything, and a second start finds the data kept.

interface Started {
  child: ChildProcess;
  output: () => string;
  url: string;
  displayToken: string;
  analystToken: string;
}

function pnpmStart(cwd: string, port: number): Promise<Started> {
  // Its own process group, so Ctrl-C can be sent the way a terminal does: to pnpm and everything under it.
  const child = spawn('pnpm', ['start'], { cwd, detached: true, env: { ...process.env, PORT: String(port), FANGKONG_DATA_DIR: '', DATABASE_URL: '', REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm start did not come up in 240 s:\n${output}`)), 240_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const display = /Wall display\s+(http:\/\/\S+)\/\?token=(fk_[\w-]+)/.exec(output);
      const analyst = /"Authorization": "Bearer (fk_[\w-]+)"/.exec(output);
      if (display && analyst) {
        clearTimeout(timer);
        resolve({ child, output: () => output, url: display[1]!, displayToken: display[2]!, analystToken: analyst[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`pnpm start exited with ${code}:\n${output}`)));
  });
}

const stop = (started: Started) =>
  new Promise<number | string | null>((resolve) => {
    started.child.once('exit', (code, signal) => resolve(code ?? signal));
    process.kill(-started.child.pid!, 'SIGINT');
  });

describe('quick start: pnpm install && pnpm start in a fresh clone', () => {
  const dir = tempDir('fangkong-clone-');
  const clone = join(dir.path, 'fangkong');
  const port = 4900 + (process.pid % 90);

  beforeAll(async () => {
    expect((await run('git', ['clone', '--quiet', repoRoot, clone])).code).toBe(0);
    const install = await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], {}, 300_000, clone);
    expect(install.code, install.stderr).toBe(0);
  }, 330_000);

  afterAll(() => dir.remove());

  it('serves a live system, stops cleanly on Ctrl-C and keeps its data', async () => {
    const first = await pnpmStart(clone, port);
    let totalBefore: number;
    try {
      // One demo clock: it continues the simulated history (10 February 2020 on a fresh start).
      expect(first.output()).toMatch(/clock at 2020-02-09T16:00/);
      // The wall display's own subscription: a simulated report arrives within 15 s.
      const client = wsClient(first.url, { token: first.displayToken });
      const zone = collect(client, `subscription { zoneSummary { checkpointTotals { reports simulatedReports } asOfSeq } }`, undefined, (d) => d.zoneSummary);
      const [snapshot] = await zone.until(1, 15_000);
      const updated = await zone.waitFor((z) => BigInt(z.asOfSeq) > BigInt(snapshot.asOfSeq) && z.checkpointTotals.reports > 0, 15_000);
      expect(updated.checkpointTotals.simulatedReports).toBe(updated.checkpointTotals.reports);
      zone.dispose();
      await client.dispose();
      const page = await fetch(`${first.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script');
      totalBefore = (await history(first)).reports;
      expect(totalBefore).toBeGreaterThan(2000);
    } finally {
      expect([0, 130, 'SIGINT']).toContain(await stop(first));
    }
    const second = await pnpmStart(clone, port);
    try {
      expect(second.displayToken).toBe(first.displayToken);
      // The second start continues where the first one's reports ended, not at the history's end again.
      expect(second.output()).toMatch(/clock at 2020-02-09T16:0\d:/);
      expect(second.output()).not.toMatch(/clock at 2020-02-09T16:00:00/);
      expect(second.output()).not.toMatch(/building the wall display/);
      expect((await history(second)).reports).toBeGreaterThanOrEqual(totalBefore);
    } finally {
      expect([0, 130, 'SIGINT']).toContain(await stop(second));
      expect(await fetch(`${second.url}/health`).then(() => 'up', () => 'down')).toBe('down');
    }
  }, 600_000);

  async function history(started: Started) {
    const response = await fetch(`${started.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${started.analystToken}` },
      body: JSON.stringify({ query: '{ checkpoints(first: 50) { edges { node { reports { totalCount } } } } }' }),
    });
    const body = (await response.json()) as { data: { checkpoints: { edges: { node: { reports: { totalCount: number } } }[] } } };
    return { reports: body.data.checkpoints.edges.reduce((sum, e) => sum + e.node.reports.totalCount, 0) };
  }
});
