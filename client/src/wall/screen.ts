import { type Client, stringifyDocument } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';
import { onEnd, pipe, subscribe } from 'wonka';
import type { Lang } from '../i18n/messages.ts';
import { commandWorkMessages } from '../i18n/command-work-messages.ts';
import { keepSubscribed } from '../live/keep-subscribed.ts';
import { h } from '../ui/dom.ts';
import { ReportScreenMutation, ScreenSessionSubscription } from './screen-operations.ts';
import {
  addressInLanguage,
  playlistView,
  reconnectsWithin,
  type ScreenLanguageName,
  type ScreenSettings,
  type ScreenViewName,
  shouldReloadFor,
  storeScreenSettings,
  viewFromAddress,
  viewSlug,
} from './screen-settings.ts';

// The wall display as a registered screen: it opens its session (which registers it and keeps it
// live), shows the view or playlist an admin set, obeys commands at once and acknowledges them with
// what it now shows, reports how it is over the live connection, and reloads itself at a quiet
// moment when the server serves a new client build. The views are the wall itself with one group
// of panels alone (screen.css); the wall's own code does not know about them.

/** No live update for this long: a quiet moment to reload for a new build. */
const QUIET_MS = 2000;
/** A wall that is never quiet reloads for a new build after this anyway. */
const MAX_WAIT_MS = 120_000;
const RELOADED_FOR_KEY = 'fangkong.screen.reloadedFor';

const VIEW_LABEL: Record<Lang, Record<ScreenViewName, string>> = {
  zh: { OVERVIEW: '总览', CHECKPOINTS: '检查点', PRODUCTION: '生产与物资', ALERTS: '预警', COMMAND_WORK: commandWorkMessages.zh.view },
  en: { OVERVIEW: 'Overview', CHECKPOINTS: 'Checkpoints', PRODUCTION: 'Production & supplies', ALERTS: 'Alerts', COMMAND_WORK: commandWorkMessages.en.view },
};

export interface ScreenOptions {
  client: Client;
  /** The live connection: reports and acknowledgements go over it. */
  ws: Pick<WsClient, 'subscribe'>;
  lang: Lang;
  settings: ScreenSettings;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** The last outbox event the figures shown include. */
  shownSeq(): string | null;
}

export interface ScreenHandle {
  /** A live update arrived (the wall is not quiet). */
  sawUpdate(): void;
  /** The live connection opened (again). */
  connected(): void;
}

interface Instruction {
  kind: 'SETTINGS' | 'COMMAND' | 'NEW_BUILD' | 'RENAMED';
  screenId: string;
  name: string;
  location: string | null;
  commandId: string | null;
  action: 'SHOW_VIEW' | 'PLAY' | 'SET_LANGUAGE' | 'RELOAD' | null;
  view: ScreenViewName | null;
  playlist: ScreenViewName[];
  playlistSeconds: number | null;
  language: ScreenLanguageName | null;
  clientBuild: string | null;
  reportEveryMs: number;
}

/** The client build this page runs: its entry script as the built page names it (hashed). */
export function ownBuild(doc: Document = document): string | null {
  return doc.querySelector('script[type="module"][src]')?.getAttribute('src') ?? null;
}

export function startScreen(options: ScreenOptions): ScreenHandle {
  const { settings, storage, lang } = options;
  const language: ScreenLanguageName = lang === 'en' ? 'EN' : 'ZH';
  const build = ownBuild();
  const reconnects: number[] = [];
  let connections = 0;
  let lastUpdate = Date.now();
  let screenId: string | null = null;
  // `?view=` in the address: shown until an admin sets a view (or a playlist) other than the overview.
  const addressView = viewFromAddress(location.search);
  let view: ScreenViewName = addressView ?? 'OVERVIEW';
  let playlist: { views: ScreenViewName[]; seconds: number; startedAt: number } | null = null;
  let reportTimer: ReturnType<typeof setInterval> | null = null;
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;
  const handled = new Set<string>();

  const badge = h('div', { class: 'screen-badge', 'data-testid': 'screen-badge' });

  function show(next: ScreenViewName): void {
    view = next;
    document.body.dataset.view = viewSlug(next);
    badge.textContent = `${settings.name} · ${VIEW_LABEL[lang][next]}`;
    // The wall draws itself after the screen starts (and replaces the body's children then).
    if (!badge.isConnected) document.body.append(badge);
    // ECharts sizes itself on resize: the chart's panel may have changed size.
    dispatchEvent(new Event('resize'));
  }

  function play(views: ScreenViewName[], seconds: number): void {
    playlist = { views, seconds, startedAt: Date.now() };
    show(views[0]!);
  }

  setInterval(() => {
    if (!playlist) return;
    const next = playlistView(playlist.views, playlist.seconds, playlist.startedAt, Date.now());
    if (next !== view) show(next);
  }, 250);

  function report(acknowledges: string | null = null): Promise<void> {
    if (!screenId) return Promise.resolve();
    const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    const variables = {
      screenId,
      asOfSeq: options.shownSeq(),
      reconnectsLastHour: reconnectsWithin(reconnects, Date.now()),
      memoryBytes: memory ? memory.usedJSHeapSize : null,
      clientVersion: build,
      view,
      language,
      playing: !!playlist,
      acknowledges,
    };
    // Over the live connection (graphql-ws executes mutations too): the report says the connection works.
    return new Promise((resolve) => {
      options.ws.subscribe({ query: stringifyDocument(ReportScreenMutation), variables }, { next: () => {}, error: () => resolve(), complete: () => resolve() });
    });
  }

  function reloadPage(commandId: string | null, address?: string): void {
    if (commandId) storeScreenSettings(storage, { ...settings, pendingAck: commandId });
    if (address) location.replace(address);
    else location.reload();
  }

  function obey(i: Instruction): void {
    if (!i.commandId || handled.has(i.commandId)) return;
    handled.add(i.commandId);
    switch (i.action) {
      case 'SHOW_VIEW':
        playlist = null;
        show(i.view ?? 'OVERVIEW');
        break;
      case 'PLAY':
        play(i.playlist, i.playlistSeconds ?? 30);
        break;
      case 'SET_LANGUAGE':
        settings.language = i.language;
        storeScreenSettings(storage, settings);
        if (i.language && i.language !== language) {
          reloadPage(i.commandId, addressInLanguage(location.href, i.language));
          return;
        }
        break;
      case 'RELOAD':
        reloadPage(i.commandId);
        return;
    }
    void report(i.commandId);
  }

  function settle(i: Instruction): void {
    if (i.playlist.length >= 2 && i.playlistSeconds) play(i.playlist, i.playlistSeconds);
    else {
      playlist = null;
      show(i.view && i.view !== 'OVERVIEW' ? i.view : (addressView ?? 'OVERVIEW'));
    }
    if (i.language && i.language !== language) {
      settings.language = i.language;
      storeScreenSettings(storage, settings);
      reloadPage(null, addressInLanguage(location.href, i.language));
      return;
    }
    // Back from a reload a command asked for: that command is done now.
    const pending = settings.pendingAck;
    if (pending) {
      settings.pendingAck = null;
      storeScreenSettings(storage, settings);
    }
    void report(pending);
  }

  /** A new build is served: reload when the wall has been quiet for a moment (or after a while anyway). */
  function newBuild(served: string | null): void {
    let reloadedFor: string | null = null;
    try {
      reloadedFor = sessionStorage.getItem(RELOADED_FOR_KEY);
    } catch {}
    if (reloadTimer || !shouldReloadFor(build, served, reloadedFor)) return;
    const since = Date.now();
    const check = () => {
      const quiet = Date.now() - lastUpdate >= QUIET_MS;
      if (quiet || Date.now() - since >= MAX_WAIT_MS) {
        try {
          sessionStorage.setItem(RELOADED_FOR_KEY, served!);
        } catch {}
        reloadPage(null);
        return;
      }
      reloadTimer = setTimeout(check, 250);
    };
    // Screens reloading together would all ask the server at once: spread them over a second.
    reloadTimer = setTimeout(check, Math.random() * 1000);
  }

  let stopSession: (() => void) | null = null;
  const openSession = () => {
    const variables = { name: settings.name, location: settings.location, clientVersion: build, screenId: settings.screenId };
    stopSession = keepSubscribed((ended, flowing) => {
      const { unsubscribe } = pipe(
        options.client.subscription(ScreenSessionSubscription, variables),
        onEnd(ended),
        subscribe((result) => {
          const i = result.data?.screenSession as Instruction | undefined;
          if (!i) return;
          flowing();
          screenId = i.screenId;
          // Who it is, as registered: kept for the next session (an admin may rename it).
          if (settings.screenId !== i.screenId || settings.name !== i.name || settings.location !== i.location) {
            Object.assign(settings, { screenId: i.screenId, name: i.name, location: i.location });
            storeScreenSettings(storage, settings);
            show(view);
          }
          if (i.kind === 'SETTINGS') settle(i);
          else if (i.kind === 'COMMAND') obey(i);
          newBuild(i.clientBuild);
          if (reportTimer) clearInterval(reportTimer);
          reportTimer = setInterval(() => void report(), i.reportEveryMs);
          if (i.kind === 'RENAMED') {
            // graphql-ws resubscribes after a cut with the variables it was given: open the session
            // again under the screen's id, so a reconnection cannot register the old name anew.
            stopSession?.();
            queueMicrotask(openSession);
          }
        }),
      );
      return unsubscribe;
    });
  };
  openSession();

  show(view);
  return {
    sawUpdate: () => {
      lastUpdate = Date.now();
    },
    connected: () => {
      if (++connections > 1) reconnects.push(Date.now());
    },
  };
}
