// What a wall display keeps about itself, beside its token: its name and location (given once in
// the address, `?screen=…&location=…`), the language an admin set, and a command it obeyed by
// reloading (acknowledged once it is back). Pure functions over the page's storage and address.

export const SCREEN_KEY = 'fangkong.screen';

export type ScreenViewName = 'OVERVIEW' | 'CHECKPOINTS' | 'PRODUCTION' | 'ALERTS' | 'COMMAND_WORK';
const VIEWS: readonly ScreenViewName[] = ['OVERVIEW', 'CHECKPOINTS', 'PRODUCTION', 'ALERTS', 'COMMAND_WORK'];
export type ScreenLanguageName = 'ZH' | 'EN';

export interface ScreenSettings {
  /** The id its last session gave: it connects again as that screen, under the name an admin may have given it. */
  screenId: string | null;
  name: string;
  location: string | null;
  /** Set by an admin; the page's `?lang=` follows it. */
  language: ScreenLanguageName | null;
  /** A command obeyed by reloading, to acknowledge once connected again. */
  pendingAck: string | null;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

export interface ScreenEnvironment {
  location: { href: string };
  history: { replaceState(data: unknown, unused: string, url?: string | URL | null): void; state: unknown };
  storage: Store;
  /** A name for a screen opened without one (a random suffix, kept). */
  randomName?: () => string;
}

const defaultName = () => `大屏-${Math.random().toString(36).slice(2, 6)}`;

export function readScreenSettings(storage: Pick<Storage, 'getItem'>): ScreenSettings | null {
  try {
    const stored = JSON.parse(storage.getItem(SCREEN_KEY) ?? 'null') as Partial<ScreenSettings> | null;
    if (!stored || typeof stored.name !== 'string' || !stored.name.trim()) return null;
    return {
      screenId: typeof stored.screenId === 'string' ? stored.screenId : null,
      name: stored.name,
      location: typeof stored.location === 'string' ? stored.location : null,
      language: stored.language === 'ZH' || stored.language === 'EN' ? stored.language : null,
      pendingAck: typeof stored.pendingAck === 'string' ? stored.pendingAck : null,
    };
  } catch {
    return null;
  }
}

export function storeScreenSettings(storage: Store, settings: ScreenSettings): void {
  try {
    storage.setItem(SCREEN_KEY, JSON.stringify(settings));
  } catch {
    // No storage (private mode): the settings live for this page only.
  }
}

/**
 * Takes `?screen=` and `?location=` from the address once (stored, removed from the URL like the
 * token), and puts the stored language into the address when it names none, so the page speaks
 * what an admin set across reloads. Run before the page reads `?lang=`. Returns the settings.
 */
export function takeScreenFromUrl(env: ScreenEnvironment): ScreenSettings {
  const url = new URL(env.location.href);
  const stored = readScreenSettings(env.storage);
  const name = url.searchParams.get('screen')?.trim();
  const where = url.searchParams.get('location');
  const settings: ScreenSettings = {
    // Another name in the address is another screen.
    screenId: name && name !== stored?.name ? null : (stored?.screenId ?? null),
    name: name || stored?.name || (env.randomName ?? defaultName)(),
    location: where !== null ? where.trim() || null : (stored?.location ?? null),
    language: stored?.language ?? null,
    pendingAck: stored?.pendingAck ?? null,
  };
  let changed = false;
  for (const key of ['screen', 'location']) {
    if (url.searchParams.has(key)) {
      url.searchParams.delete(key);
      changed = true;
    }
  }
  if (settings.language && !url.searchParams.has('lang')) {
    url.searchParams.set('lang', settings.language.toLowerCase());
    changed = true;
  }
  if (changed) env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  storeScreenSettings(env.storage, settings);
  return settings;
}

/** The address of this page speaking `language`. */
export function addressInLanguage(href: string, language: ScreenLanguageName): string {
  const url = new URL(href);
  url.searchParams.set('lang', language.toLowerCase());
  return `${url.pathname}${url.search}${url.hash}`;
}

/** Reconnections within the hour before `now` (the first connection is not one), pruning older ones in place. */
export function reconnectsWithin(reconnects: number[], now: number, windowMs = 3_600_000): number {
  while (reconnects.length && reconnects[0]! <= now - windowMs) reconnects.shift();
  return reconnects.length;
}

/** The view a playlist shows at `now`, having started at `startedAt`. */
export function playlistView(playlist: readonly ScreenViewName[], seconds: number, startedAt: number, now: number): ScreenViewName {
  const step = Math.floor(Math.max(0, now - startedAt) / (seconds * 1000));
  return playlist[step % playlist.length]!;
}

/**
 * Whether a page that runs `own` should reload for the build the server `served`: only when the
 * server names one, it differs, and the page has not just reloaded for that very build (a browser
 * holding an old page in its cache must not reload in a loop).
 */
export function shouldReloadFor(own: string | null, served: string | null, reloadedFor: string | null): boolean {
  return !!served && !!own && own !== served && reloadedFor !== served;
}

/** A view as the address names it (`?view=command-work`, any case, `-` or `_`); null when it names none or no known one. */
export function viewFromAddress(search: string): ScreenViewName | null {
  const named = new URLSearchParams(search).get('view')?.trim().toUpperCase().replaceAll('-', '_');
  return VIEWS.find((v) => v === named) ?? null;
}

/** A view as the page's `data-view` and the address spell it: `command-work`. */
export const viewSlug = (view: ScreenViewName) => view.toLowerCase().replaceAll('_', '-');
