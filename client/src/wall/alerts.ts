// The wall's alerts strip as data: the subscription's snapshot, then each change; resolved alerts
// leave. Pure functions, tested beside this file.

export type Severity = 'HIGH' | 'MEDIUM' | 'LOW';

export interface WallAlert {
  id: string;
  /** What it is about: a Checkpoint's alerts colour its site on the map. */
  subjectType: string;
  subjectId: string;
  kind: string;
  severity: Severity;
  status: 'OPEN' | 'ACKNOWLEDGED' | 'RESOLVED';
  message: string;
  messageEn: string;
  raisedAt: string;
}

export interface AlertsUpdate {
  kind: 'SNAPSHOT' | 'RAISED' | 'ACKNOWLEDGED' | 'RESOLVED';
  asOfSeq: string;
  /** When the server read the update. */
  asOf: string;
  alerts: WallAlert[];
}

export interface AlertsState {
  byId: ReadonlyMap<string, WallAlert>;
  asOfSeq: string | null;
  /** When the newest update taken was read on the server: the strip's "数据截至". */
  asOf: string | null;
}

export const initialAlertsState: AlertsState = { byId: new Map(), asOfSeq: null, asOf: null };

/** A snapshot replaces everything; later changes add, update or (resolved) remove one alert. Older positions are ignored. */
export function alertsReducer(state: AlertsState, update: AlertsUpdate): AlertsState {
  if (update.kind !== 'SNAPSHOT' && state.asOfSeq !== null && BigInt(update.asOfSeq) <= BigInt(state.asOfSeq)) return state;
  const byId = new Map(update.kind === 'SNAPSHOT' ? [] : state.byId);
  for (const alert of update.alerts) {
    if (alert.status === 'RESOLVED') byId.delete(alert.id);
    else byId.set(alert.id, alert);
  }
  return { byId, asOfSeq: update.asOfSeq, asOf: update.asOf };
}

const RANK: Record<Severity, number> = { HIGH: 0, MEDIUM: 1, LOW: 2 };

/** Open alerts by severity, newest first within one. */
export function sortedAlerts(state: AlertsState): WallAlert[] {
  return [...state.byId.values()].sort((a, b) => RANK[a.severity] - RANK[b.severity] || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
}

/** How long a new high-severity alert stands out: long enough to be seen, then it stays calm. */
export const HIGHLIGHT_MS = 60_000;

export function isFreshHigh(alert: WallAlert, nowMs: number): boolean {
  return alert.severity === 'HIGH' && alert.status === 'OPEN' && nowMs - Date.parse(alert.raisedAt) < HIGHLIGHT_MS;
}

/** Whole minutes since it was raised (never negative, whatever the clocks say). */
export function ageMinutes(alert: WallAlert, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - Date.parse(alert.raisedAt)) / 60_000));
}
