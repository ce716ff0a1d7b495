import { describe, expect, it } from 'vitest';
import { connectionReducer, initialConnectionState, type ConnectionEvent, type ConnectionState } from './connection-state.ts';

const run = (events: ConnectionEvent[], from: ConnectionState = initialConnectionState) => events.reduce(connectionReducer, from);

describe('connection state', () => {
  it('is connecting until the first connection, then live', () => {
    expect(run([{ type: 'connecting', at: 1 }]).status).toBe('connecting');
    const live = run([{ type: 'connecting', at: 1 }, { type: 'connected', at: 2 }]);
    expect(live).toMatchObject({ status: 'live', staleSince: null, connections: 1 });
  });

  it('marks the moment figures stopped moving and keeps it across failed attempts', () => {
    const state = run([
      { type: 'connected', at: 100 },
      { type: 'closed', at: 5_000, code: 1006, reason: '' },
      { type: 'connecting', at: 5_500 },
      { type: 'closed', at: 6_000, code: 1006, reason: '' },
      { type: 'connecting', at: 8_000 },
      { type: 'closed', at: 9_000, code: 1011, reason: 'server restarting' },
    ]);
    expect(state.status).toBe('reconnecting');
    expect(state.staleSince).toBe(5_000);
    expect(state.attempts).toBe(2);
    expect(state.lastClose).toEqual({ code: 1011, reason: 'server restarting' });
  });

  it('is live and fresh again after a reconnection', () => {
    const state = run([
      { type: 'connected', at: 100 },
      { type: 'closed', at: 5_000, code: 1006, reason: '' },
      { type: 'connecting', at: 5_500 },
      { type: 'connected', at: 6_000 },
    ]);
    expect(state).toMatchObject({ status: 'live', staleSince: null, attempts: 0, connections: 2, lastClose: null });
  });

  it('never shows stale before it ever had data', () => {
    const state = run([
      { type: 'connecting', at: 1 },
      { type: 'closed', at: 2, code: 1006, reason: '' },
    ]);
    expect(state).toMatchObject({ status: 'connecting', staleSince: null });
  });
});
