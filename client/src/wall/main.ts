import '../ui/base.css';
import './wall.css';
import './screen.css';
import './multi-screen.css';
import { addDays, CURVE_MAX_DAYS, DEFAULT_TIME_ZONE, localDay, RESPONSE_FIRST_DAY } from '@fangkong/zone';
import { pickLang } from '../i18n/messages.ts';
import type { AnyVariables, CombinedError, DocumentInput } from '@urql/core';
import { onEnd, pipe, subscribe } from 'wonka';
import { Coalescer } from '../live/coalesce.ts';
import { keepSubscribed } from '../live/keep-subscribed.ts';
import { connectionReducer, initialConnectionState, type ConnectionState } from '../live/connection-state.ts';
import { createLiveConnection, graphqlWebSocketUrl } from '../live/connection.ts';
import { h } from '../ui/dom.ts';
import { createFangkongClient } from '../urql/client.ts';
import { AlertsSubscription, CheckpointCountsSubscription, CompletenessSubscription, HourlySeriesQuery, MapAreasQuery, ProductionOutputSubscription, StockLevelsSubscription, ZoneSummarySubscription } from './operations.ts';
import {
  changesOf,
  includesSimulated,
  isolationByCommunity,
  latestAsOf,
  liveZone,
  initialWallState,
  maskCapacity,
  maskProduction,
  maskTotals,
  nextClockOffset,
  rankCheckpoints,
  rowsHeld,
  stockItems,
  totalsOf,
  wallReducer,
  type WallAction,
  type WallState,
} from './state.ts';
import { alertsReducer, initialAlertsState, sortedAlerts } from './alerts.ts';
import { createAlertsStrip } from './view/alerts.ts';
import { reportedThisHour, type WallSiteCompleteness } from './completeness.ts';
import { createCompletenessPanel } from './view/completeness.ts';
import { createHeader } from './view/header.ts';
import { createResponseCurve } from './view/response-curve.ts';
import { createAsOf } from './view/as-of.ts';
import { createNotAuthorised } from './view/not-authorised.ts';
import { refusalOfClose, refusalOfError, WallToken, type Refusal } from './access.ts';
import { createHourlyChart } from './view/hourly-chart.ts';
import { createKpis } from './view/kpis.ts';
import { createProduction } from './view/production.ts';
import { createRanking } from './view/ranking.ts';
import { createStock } from './view/stock.ts';
import { createIsolationPanel } from './view/isolation.ts';
import { createMap } from './view/map.ts';
import { mapSites, type MapArea } from './map.ts';
import { screensFromAddress } from './multi-screen.ts';
import { createCommandWork } from './view/command-work.ts';
import { CommandWorkSubscription } from './command-work-operations.ts';
import { startScreen } from './screen.ts';
import { takeScreenFromUrl } from './screen-settings.ts';

// Before `?lang=` is read: the screen's name and location leave the address, an admin's language enters it.
const screenSettings = takeScreenFromUrl({ location, history, storage: window.localStorage });

const lang = pickLang(location.search);
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
const wallToken = new WallToken({ location, history, storage: window.localStorage });
const token = () => wallToken.get();
/** Why the server will not show this screen the figures, while it will not. */
let access: Refusal | null = token() ? null : 'no-token';
/** Figures arrived since the last (re)connection: only then is the screen "live". */
let receiving = false;
function refuse(why: Refusal): void {
  access = why;
  receiving = false;
  wallToken.refused(why);
  scheduleRender();
}

// ── state ──────────────────────────────────────────────────────────────────────────────────────
let state: WallState = initialWallState;
let alertsState = initialAlertsState;
let completenessSites: WallSiteCompleteness[] | null = null;
let completenessAsOf: string | null = null;
/** The areas by slug, for the map (reference data: asked once, again after a refusal or a cut until it arrives). */
let mapAreas: ReadonlyMap<string, MapArea> | null = null;
let connection: ConnectionState = initialConnectionState;
let clockOffset: number | null = null;
const serverNow = () => Date.now() + (clockOffset ?? 0);
const timeZone = () => state.zone?.value.timeZone ?? DEFAULT_TIME_ZONE;

function dispatch(action: WallAction): void {
  const next = wallReducer(state, action);
  if (next === state) return;
  const before = state;
  state = next;
  // New figures, a new day, or the same figures read later (yesterday's comparison is cut at their asOf).
  if (action.type === 'zone' && (before.zone?.seq !== state.zone?.seq || before.zone?.value.day !== state.zone?.value.day || before.zone?.value.asOf !== state.zone?.value.asOf)) series.request();
  scheduleRender();
}

function noteServerTime(asOf: string): void {
  const ms = Date.parse(asOf);
  if (Number.isFinite(ms)) clockOffset = nextClockOffset(clockOffset, ms, Date.now());
}

/** The hourly series is a query: fetched again after updates, at most once every 3 s. */
const series = new Coalescer(async () => {
  const zone = state.zone?.value;
  if (!zone) return;
  const tz = zone.timeZone;
  const askedAt = new Date(serverNow()).toISOString();
  const yesterdayStart = localDay(addDays(zone.day, -1), tz).start;
  const result = await client
    .query(HourlySeriesQuery, {
      todayFrom: zone.dayStart,
      todayTo: zone.dayEnd,
      yesterdayFrom: yesterdayStart.toISOString(),
      // Yesterday up to the same local time as the figures on screen (see changesOf).
      yesterdaySameTime: new Date(yesterdayStart.getTime() + Math.max(1, Date.parse(zone.asOf) - Date.parse(zone.dayStart))).toISOString(),
      yesterday: addDays(zone.day, -1),
      // The response curve: every day since 27 January 2020 (the response's first day) to today.
      // At most the last CURVE_MAX_DAYS days (as the briefing's curve), so a wall on a later clock still asks a valid range.
      since: localDay([RESPONSE_FIRST_DAY, addDays(zone.day, 1 - CURVE_MAX_DAYS), zone.day].sort()[1]!, tz).start.toISOString(),
    })
    .toPromise();
  if (result.error) noteRefusal(result.error);
  if (result.data) dispatch({ type: 'series', day: zone.day, timeZone: tz, value: result.data, nowMs: serverNow(), asOf: askedAt, comparedAsOf: zone.asOf });
});

// ── transports ─────────────────────────────────────────────────────────────────────────────────
const ws = createLiveConnection({
  url: graphqlWebSocketUrl(location),
  token,
  onEvent: (event) => {
    connection = connectionReducer(connection, event);
    if (event.type === 'connected') screen.connected();
    if (event.type !== 'connecting') receiving = false;
    if (event.type === 'connected' && access === 'forbidden') access = null; // asked again on this connection
    if (event.type === 'closed') {
      const why = refusalOfClose(event.code, token() !== null);
      if (why) refuse(why);
    }
    if (event.type === 'connected' && connection.connections > 1) {
      // Back after a cut: subscriptions resend snapshots by themselves; the HTTP-fetched parts
      // are fetched again too.
      series.request();
    }
    if (event.type === 'connected' && !mapAreas) void loadMapAreas();
    scheduleRender();
  },
});
const client = createFangkongClient({ token, ws });
const screen = startScreen({ client, ws, lang, settings: screenSettings, storage: window.localStorage, shownSeq: () => (state.zone ? String(state.zone.seq) : null) });

/** Why the server refuses the display's operations (token unknown, rate limited…), while it does. */
let refusal: { code: string; message: string } | null = null;
function noteRefusal(error: CombinedError): void {
  const first = error.graphQLErrors[0];
  if (!first) return;
  const code = String(first.extensions?.code ?? 'ERROR');
  const why = refusalOfError(code, token() !== null);
  if (why) refuse(why);
  else refusal = { code, message: first.message };
  scheduleRender();
}

/** Figures arrived: the token works, and the screen is live. */
function noteFlowing(): void {
  wallToken.accepted();
  const changed = !receiving || refusal !== null || (access !== null && access !== 'forbidden');
  receiving = true;
  refusal = null;
  if (access !== 'forbidden') access = null;
  if (changed) scheduleRender();
}

/** One subscription for the life of the screen: reopened when the server ends or refuses it. */
function live<Data>(document: DocumentInput<Data, AnyVariables>, onData: (data: Data) => void): void {
  keepSubscribed((ended, flowing) => {
    const { unsubscribe } = pipe(
      client.subscription(document, {}),
      onEnd(ended),
      subscribe((result) => {
        if (result.error) noteRefusal(result.error);
        if (!result.data) return;
        flowing();
        noteFlowing();
        onData(result.data);
        screen.sawUpdate();
      }),
    );
    return unsubscribe;
  });
}

live(ZoneSummarySubscription, (data) => {
  noteServerTime(data.zoneSummary.asOf);
  const zone = liveZone(data.zoneSummary);
  if (zone) dispatch({ type: 'zone', value: zone });
});
live(CheckpointCountsSubscription, (data) => dispatch({ type: 'checkpoint', value: data.checkpointCounts, receivedAtMs: Date.now() }));
live(ProductionOutputSubscription, (data) => dispatch({ type: 'line', value: data.productionOutput }));
live(StockLevelsSubscription, (data) => dispatch({ type: 'stock', value: data.stockLevels }));
live(AlertsSubscription, (data) => {
  const next = alertsReducer(alertsState, data.alerts);
  if (next === alertsState) return;
  alertsState = next;
  scheduleRender();
});

live(CompletenessSubscription, (data) => {
  completenessSites = data.reportingCompleteness.sites as WallSiteCompleteness[];
  completenessAsOf = data.reportingCompleteness.asOf;
  scheduleRender();
});

async function loadMapAreas(): Promise<void> {
  const result = await client.query(MapAreasQuery, {}).toPromise();
  if (result.error) noteRefusal(result.error);
  if (!result.data) return;
  mapAreas = new Map(
    result.data.areas.edges.map(({ node }) => [node.slug, { slug: node.slug, name: node.name, nameEn: node.nameEn, level: node.level, parentSlug: node.parent?.slug ?? null }]),
  );
  map.setAreas(mapAreas);
  scheduleRender();
}

// A new hour begins on the chart even when nothing is reported.
setInterval(() => series.request(), 60_000);

// ── view ───────────────────────────────────────────────────────────────────────────────────────
const header = createHeader(lang);
const kpis = createKpis(lang);
const ranking = createRanking(lang);
const chart = createHourlyChart(lang);
const production = createProduction(lang);
const stock = createStock(lang);
const alertsStrip = createAlertsStrip(lang);
const completeness = createCompletenessPanel(lang);
const notAuthorised = createNotAuthorised(lang);
// Each panel says when its own figures were read, at its top right.
const asOf = {
  ranking: createAsOf(lang, 'as-of-ranking'),
  chart: createAsOf(lang, 'as-of-chart'),
  production: createAsOf(lang, 'as-of-production'),
  stock: createAsOf(lang, 'as-of-stock'),
  completeness: createAsOf(lang, 'as-of-completeness'),
  alerts: createAsOf(lang, 'as-of-alerts'),
  map: createAsOf(lang, 'as-of-map'),
  isolation: createAsOf(lang, 'as-of-isolation'),
};
alertsStrip.el.append(asOf.alerts.el);
const map = createMap(lang);
const isolation = createIsolationPanel(lang);
map.el.append(asOf.map.el);
isolation.el.append(asOf.isolation.el);
completeness.el.append(asOf.completeness.el);
ranking.el.append(asOf.ranking.el);
chart.el.append(asOf.chart.el);
const curve = createResponseCurve(lang);
chart.el.append(curve.el);
production.el.append(asOf.production.el);
stock.el.append(asOf.stock.el);

// The command-work view's panel: shown on that view alone (screen.css), drawn on every value.
const commandWork = createCommandWork(lang);
commandWork.el.querySelector('.cw-side')!.append(isolation.el);
const strips = h('div', { class: 'wall-strips' }, alertsStrip.el, completeness.el);
// `?screens=3`: one wall over three screens side by side, whole panels per screen (multi-screen.css);
// otherwise one screen, its view chosen by the screen's settings (screen.css).
const screens = screensFromAddress(location.search);
if (screens === 3) document.body.dataset.screens = '3';
document.body.replaceChildren(
  screens === 3
    ? h(
        'div',
        { class: 'wall wall-screens', 'data-testid': 'wall' },
        h('div', { class: 'wall-pane pane-overview', 'data-pane': '1' }, header.el, kpis.el, strips, chart.el),
        h('div', { class: 'wall-pane pane-checkpoints', 'data-pane': '2' }, ranking.el, map.el, stock.el),
        h('div', { class: 'wall-pane pane-work', 'data-pane': '3' }, production.el, commandWork.el),
        notAuthorised.el,
      )
    : h(
        'div',
        { class: 'wall', 'data-testid': 'wall' },
        header.el,
        kpis.el,
        strips,
        h('main', { class: 'wall-grid' }, ranking.el, h('div', { class: 'wall-center' }, chart.el, map.el, stock.el), production.el),
        notAuthorised.el,
        commandWork.el,
      ),
);
live(CommandWorkSubscription, (data) => commandWork.update(data.commandWork, timeZone()));

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  const run = () => {
    renderQueued = false;
    render();
  };
  if (document.hidden) setTimeout(run, 50);
  else requestAnimationFrame(run);
}

function render(): void {
  const now = serverNow();
  const tz = timeZone();
  header.update(headerInput());
  notAuthorised.update(access);
  kpis.update(totalsOf(state), changesOf(state));
  ranking.update(rankCheckpoints(state, now, Date.now()), tz);
  chart.update(state.series);
  curve.update(state.series, tz);
  production.update(maskProduction(state, now), maskTotals(state), maskCapacity(state));
  stock.update(stockItems(state));
  const alerts = sortedAlerts(alertsState);
  alertsStrip.update(alerts, now);
  isolation.update(isolationByCommunity(state));
  map.update(mapSites([...state.checkpoints.values()].map((entry) => entry.value), alerts, mapAreas ?? new Map(), now));
  completeness.update(completenessSites && reportedThisHour(completenessSites, now));
  const live = !access && connection.status === 'live' && receiving;
  asOf.ranking.update(latestAsOf(state.checkpoints.values()), tz, live);
  asOf.chart.update(state.series?.asOf, tz, live);
  asOf.production.update(latestAsOf(state.lines.values()), tz, live);
  asOf.stock.update(state.stock?.value.asOf, tz, live);
  asOf.completeness.update(completenessAsOf, tz, live);
  asOf.alerts.update(alertsState.asOf, tz, live);
  // The map's states come from the sites' figures and the alerts: as of the later of the two.
  const sitesAsOf = latestAsOf(state.checkpoints.values());
  asOf.map.update(sitesAsOf && alertsState.asOf && Date.parse(alertsState.asOf) > Date.parse(sitesAsOf) ? alertsState.asOf : (sitesAsOf ?? alertsState.asOf), tz, live);
  asOf.isolation.update(state.zone?.value.asOf, tz, live);
  document.body.dataset.ready = state.zone ? 'true' : 'false';
  document.body.dataset.connection = access ? 'refused' : connection.status === 'live' && !receiving ? 'waiting' : connection.status;
}

function headerInput() {
  const zone = state.zone?.value;
  return {
    connection,
    receiving,
    access,
    refusal,
    simulated: includesSimulated(state),
    nowMs: serverNow(),
    offsetMs: clockOffset ?? 0,
    timeZone: timeZone(),
    // The date comes with the figures, from the same snapshot: never a new day over yesterday's totals.
    dayStartMs: zone ? Date.parse(zone.dayStart) : null,
    asOf: zone?.asOf ?? null,
  };
}

// The clock ticks every second; staleness badges follow it.
setInterval(() => {
  header.update(headerInput());
  if (rowsHeld(state, Date.now())) scheduleRender();
  alertsStrip.tick(sortedAlerts(alertsState), serverNow());
}, 1000);
setInterval(scheduleRender, 30_000);

addEventListener('resize', () => {
  chart.resize();
  curve.resize();
  scheduleRender();
});
chart.resize();
render();
