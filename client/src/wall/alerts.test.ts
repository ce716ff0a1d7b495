import { describe, expect, it } from 'vitest';
import { ageMinutes, alertsReducer, HIGHLIGHT_MS, initialAlertsState, isFreshHigh, sortedAlerts, type WallAlert } from './alerts.ts';

const alert = (id: string, severity: WallAlert['severity'], raisedAt: string, status: WallAlert['status'] = 'OPEN'): WallAlert => ({
  id,
  subjectType: 'Checkpoint',
  subjectId: `site-${id}`,
  kind: 'FEVER_AT_ENTRY',
  severity,
  status,
  message: id,
  messageEn: id,
  raisedAt,
});

describe('alerts strip state', () => {
  it('starts from the snapshot, adds raised alerts, updates acknowledged ones and drops resolved ones', () => {
    let state = alertsReducer(initialAlertsState, { kind: 'SNAPSHOT', asOfSeq: '10', asOf: '2020-02-07T03:00:10Z', alerts: [alert('a', 'LOW', '2020-02-07T01:00:00Z')] });
    state = alertsReducer(state, { kind: 'RAISED', asOfSeq: '11', asOf: '2020-02-07T03:00:11Z', alerts: [alert('b', 'HIGH', '2020-02-07T02:00:00Z')] });
    state = alertsReducer(state, { kind: 'ACKNOWLEDGED', asOfSeq: '12', asOf: '2020-02-07T03:00:12Z', alerts: [alert('a', 'LOW', '2020-02-07T01:00:00Z', 'ACKNOWLEDGED')] });
    expect(sortedAlerts(state).map((a) => [a.id, a.status])).toEqual([
      ['b', 'OPEN'],
      ['a', 'ACKNOWLEDGED'],
    ]);
    state = alertsReducer(state, { kind: 'RESOLVED', asOfSeq: '13', asOf: '2020-02-07T03:00:13Z', alerts: [alert('b', 'HIGH', '2020-02-07T02:00:00Z', 'RESOLVED')] });
    expect(sortedAlerts(state).map((a) => a.id)).toEqual(['a']);
  });

  it('says when its newest update was read, not an older one ignored', () => {
    let state = alertsReducer(initialAlertsState, { kind: 'SNAPSHOT', asOfSeq: '10', asOf: '2020-02-07T03:00:10Z', alerts: [] });
    expect(state.asOf).toBe('2020-02-07T03:00:10Z');
    state = alertsReducer(state, { kind: 'RAISED', asOfSeq: '12', asOf: '2020-02-07T03:05:00Z', alerts: [alert('x', 'HIGH', '2020-02-07T03:05:00Z')] });
    expect(state.asOf).toBe('2020-02-07T03:05:00Z');
    expect(alertsReducer(state, { kind: 'RAISED', asOfSeq: '11', asOf: '2020-02-07T03:06:00Z', alerts: [] }).asOf).toBe('2020-02-07T03:05:00Z');
  });

  it('ignores a change at or before the position it already has', () => {
    const state = alertsReducer(initialAlertsState, { kind: 'SNAPSHOT', asOfSeq: '10', asOf: '2020-02-07T03:00:10Z', alerts: [] });
    expect(alertsReducer(state, { kind: 'RAISED', asOfSeq: '10', asOf: '2020-02-07T03:00:10Z', alerts: [alert('x', 'HIGH', '2020-02-07T02:00:00Z')] })).toBe(state);
  });

  it('orders by severity, then newest first', () => {
    const state = alertsReducer(initialAlertsState, {
      kind: 'SNAPSHOT',
      asOfSeq: '1', asOf: '2020-02-07T03:00:01Z',
      alerts: [alert('old-high', 'HIGH', '2020-02-07T01:00:00Z'), alert('medium', 'MEDIUM', '2020-02-07T03:00:00Z'), alert('new-high', 'HIGH', '2020-02-07T02:00:00Z')],
    });
    expect(sortedAlerts(state).map((a) => a.id)).toEqual(['new-high', 'old-high', 'medium']);
  });

  it('highlights a new open high alert for a minute only, and counts age in whole minutes', () => {
    const raised = Date.parse('2020-02-07T02:00:00Z');
    const high = alert('h', 'HIGH', '2020-02-07T02:00:00Z');
    expect(isFreshHigh(high, raised + 1000)).toBe(true);
    expect(isFreshHigh(high, raised + HIGHLIGHT_MS)).toBe(false);
    expect(isFreshHigh(alert('m', 'MEDIUM', '2020-02-07T02:00:00Z'), raised)).toBe(false);
    expect(isFreshHigh(alert('h', 'HIGH', '2020-02-07T02:00:00Z', 'ACKNOWLEDGED'), raised)).toBe(false);
    expect(ageMinutes(high, raised + 12 * 60_000 + 59_000)).toBe(12);
    expect(ageMinutes(high, raised - 5000)).toBe(0);
  });
});
