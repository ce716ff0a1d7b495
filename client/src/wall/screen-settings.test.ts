import { describe, expect, it } from 'vitest';
import { addressInLanguage, playlistView, readScreenSettings, reconnectsWithin, SCREEN_KEY, shouldReloadFor, takeScreenFromUrl, viewFromAddress, viewSlug } from './screen-settings.ts';

function environment(href: string, stored?: unknown) {
  const items = new Map<string, string>(stored ? [[SCREEN_KEY, JSON.stringify(stored)]] : []);
  const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  const replaced: string[] = [];
  const history = { state: null, replaceState: (_d: unknown, _u: string, url?: string | URL | null) => void replaced.push(String(url)) };
  return { env: { location: { href }, history, storage, randomName: () => '大屏-test' }, storage, replaced };
}

describe('a screen’s settings', () => {
  it('takes its name and location from the address once, keeps them and removes them from the URL', () => {
    const { env, storage, replaced } = environment('http://wall/?screen=%E6%8C%87%E6%8C%A5%E4%B8%AD%E5%BF%83%E4%B8%BB%E5%B1%8F&location=3F&lang=en');
    expect(takeScreenFromUrl(env)).toEqual({ screenId: null, name: '指挥中心主屏', location: '3F', language: null, pendingAck: null });
    expect(replaced).toEqual(['/?lang=en']);
    expect(readScreenSettings(storage)?.name).toBe('指挥中心主屏');
    const again = environment('http://wall/', readScreenSettings(storage));
    expect(takeScreenFromUrl(again.env).location).toBe('3F');
    expect(again.replaced).toEqual([]);
  });

  it('gets a kept random name without one, and speaks the language an admin set when the URL names none', () => {
    const { env, replaced } = environment('http://wall/', { screenId: 'U2NyZWVuOjE=', name: 'east', location: null, language: 'EN', pendingAck: 'c1' });
    expect(takeScreenFromUrl(env)).toMatchObject({ screenId: 'U2NyZWVuOjE=', name: 'east', language: 'EN', pendingAck: 'c1' });
    // The same name in the address is the same screen; another name is another screen.
    expect(takeScreenFromUrl(environment('http://wall/?screen=east', { screenId: 'U2NyZWVuOjE=', name: 'east' }).env).screenId).toBe('U2NyZWVuOjE=');
    expect(takeScreenFromUrl(environment('http://wall/?screen=west', { screenId: 'U2NyZWVuOjE=', name: 'east' }).env).screenId).toBeNull();
    expect(replaced).toEqual(['/?lang=en']);
    expect(takeScreenFromUrl(environment('http://wall/').env).name).toBe('大屏-test');
    expect(addressInLanguage('http://wall/?lang=zh#x', 'EN')).toBe('/?lang=en#x');
  });

  it('counts reconnections of the last hour, rotates a playlist, and reloads once per new build', () => {
    const times = [0, 1_000, 3_700_000];
    expect(reconnectsWithin(times, 3_700_500)).toBe(1);
    expect(playlistView(['OVERVIEW', 'ALERTS'], 2, 0, 1999)).toBe('OVERVIEW');
    expect(playlistView(['OVERVIEW', 'ALERTS'], 2, 0, 2000)).toBe('ALERTS');
    expect(playlistView(['OVERVIEW', 'ALERTS'], 2, 0, 4100)).toBe('OVERVIEW');
    expect(shouldReloadFor('/assets/index-a.js', '/assets/index-b.js', null)).toBe(true);
    expect(shouldReloadFor('/assets/index-a.js', '/assets/index-b.js', '/assets/index-b.js')).toBe(false);
    expect(shouldReloadFor('/assets/index-a.js', null, null)).toBe(false);
    expect(shouldReloadFor('/assets/index-a.js', '/assets/index-a.js', null)).toBe(false);
  });
});

describe('a view named in the address', () => {
  it('reads ?view= in any spelling, and nothing else', () => {
    expect(viewFromAddress('?view=command-work')).toBe('COMMAND_WORK');
    expect(viewFromAddress('?token=x&view=COMMAND_WORK')).toBe('COMMAND_WORK');
    expect(viewFromAddress('?view=alerts')).toBe('ALERTS');
    expect(viewFromAddress('?view=map')).toBeNull();
    expect(viewFromAddress('')).toBeNull();
    expect(viewSlug('COMMAND_WORK')).toBe('command-work');
  });
});
