import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScreenPresence, servedClientBuild } from './screen-presence.ts';

describe('the client build a server announces to screens', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dist = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fangkong-build-'));
    dirs.push(dir);
    return dir;
  };
  const page = (entry: string) => `<!doctype html><html><head><script type="module" crossorigin src="${entry}"></script></head><body></body></html>`;

  it('is the wall page’s entry script, read again when the page changes, and null without a build', () => {
    const dir = dist();
    const build = servedClientBuild(dir, 0);
    expect(build()).toBeNull();
    writeFileSync(join(dir, 'index.html'), page('/assets/index-AAAA1111.js'));
    expect(build()).toBe('/assets/index-AAAA1111.js');
    writeFileSync(join(dir, 'index.html'), page('/assets/index-BBBB22222.js'));
    expect(build()).toBe('/assets/index-BBBB22222.js');
    rmSync(join(dir, 'index.html'));
    expect(build()).toBeNull();
  });

  it('looks at the file at most once per interval', () => {
    const dir = dist();
    writeFileSync(join(dir, 'index.html'), page('/assets/index-AAAA1111.js'));
    const build = servedClientBuild(dir, 60_000);
    expect(build()).toBe('/assets/index-AAAA1111.js');
    writeFileSync(join(dir, 'index.html'), page('/assets/index-BBBB22222.js'));
    expect(build()).toBe('/assets/index-AAAA1111.js');
  });

  it('refuses a silence threshold no longer than the heartbeat', () => {
    expect(() => createScreenPresence({ clientDist: dist(), heartbeatMs: 10_000, silentAfterMs: 10_000 })).toThrow(/FANGKONG_SCREEN_SILENT_AFTER_MS/);
    expect(createScreenPresence({ clientDist: dist() }).instanceId).toMatch(/:\d+:/);
  });
});
