// What a display knows about its live connection, as a pure reducer over graphql-ws events.

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting';

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the data on screen stopped being live (ms since epoch); null while live or before the first connection. */
  staleSince: number | null;
  /** Failed attempts since the last successful connection. */
  attempts: number;
  /** Successful connections so far (the first is 1). */
  connections: number;
  /** Close code and reason of the last drop, for the operator's eyes. */
  lastClose: { code: number; reason: string } | null;
}

export type ConnectionEvent =
  | { type: 'connecting'; at: number }
  | { type: 'connected'; at: number }
  | { type: 'closed'; at: number; code: number; reason: string };

export const initialConnectionState: ConnectionState = {
  status: 'connecting',
  staleSince: null,
  attempts: 0,
  connections: 0,
  lastClose: null,
};

export function connectionReducer(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'connecting':
      return state.connections === 0 ? { ...state, status: 'connecting' } : { ...state, status: 'reconnecting' };
    case 'connected':
      return { ...state, status: 'live', staleSince: null, attempts: 0, connections: state.connections + 1, lastClose: null };
    case 'closed': {
      const wasLive = state.status === 'live';
      return {
        ...state,
        status: state.connections === 0 ? 'connecting' : 'reconnecting',
        // The first drop after being live marks the moment figures stopped moving; later failed
        // attempts keep that moment.
        staleSince: wasLive ? event.at : state.staleSince,
        attempts: wasLive ? 0 : state.attempts + 1,
        lastClose: { code: event.code, reason: event.reason },
      };
    }
  }
}
