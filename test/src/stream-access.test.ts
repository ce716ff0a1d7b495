import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { run, tempDir } from './support/processes.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { createToken, startServer, type RunningServer } from './support/server.ts';

/** graphql-sse's header naming a reserved stream (its TOKEN_HEADER_KEY). */
const STREAM_TOKEN = 'x-graphql-event-stream-token';
const EVENTS = `subscription($after: String) { events(after: $after) { cursor seq type } }`;
// Short, so that the expiry can be watched; the cap small, so that it can be reached.
// Long enough that a reservation made and connected at once on a loaded machine is not freed first.
const RESERVATION_TIMEOUT_MS = 3000;
const RESERVATIONS_PER_TOKEN = 3;

interface Refusal {
  errors: { message: string; extensions?: { code?: string } }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const auth = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/**
 * The server's live JavaScript heap in bytes, seen from outside through its inspector (the server
 * runs with --inspect): a full garbage collection, then the heap's used size.
 */
async function heapAfterGc(inspectorUrl: string): Promise<number> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method: string) =>
    new Promise<any>((resolve) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString());
        if (message.id !== mine) return;
        socket.off('message', onMessage);
        resolve(message.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    return (await call('Runtime.getHeapUsage')).usedSize as number;
  } finally {
    socket.close();
  }
}

/** The text of an event stream until `done` says it has enough (or the stream ends). */
async function readUntil(response: Response, done: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('who may call, over HTTP and both SSE modes', () => {
  const dir = tempDir();
  const env = {
    FANGKONG_DATA_DIR: dir.path,
    FANGKONG_SSE_RESERVATION_TIMEOUT_MS: String(RESERVATION_TIMEOUT_MS),
    FANGKONG_SSE_STREAMS_PER_TOKEN: String(RESERVATIONS_PER_TOKEN),
    // The memory test reads the server's heap through its inspector (the token commands get one too).
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`,
  };
  let server: RunningServer;
  let streamUrl: string;
  let revoked: string;
  let analyst: string;

  const reserve = (token: string | null, headers: Record<string, string> = {}) => fetch(streamUrl, { method: 'PUT', headers: { ...auth(token), ...headers } });
  const connect = (token: string | null, stream: string, signal?: AbortSignal) =>
    fetch(streamUrl, { headers: { accept: 'text/event-stream', [STREAM_TOKEN]: stream, ...auth(token) }, signal });
  /**
   * Keeps a connected event stream open for as long as its signal allows: the response stays
   * referenced and its body is read. A response nobody holds or reads may be garbage-collected, and
   * its connection closed with it, which ends the reserved stream under the test (seen in CI: 404,
   * no stream reserved, for the probes after the first two).
   */
  const held: Response[] = [];
  const keepOpen = (response: Response): Response => {
    held.push(response);
    void response.body?.pipeTo(new WritableStream()).catch(() => {});
    return response;
  };
  const operate = (token: string | null, stream: string, operationId: string, query: string, variables: Record<string, unknown> = {}) =>
    fetch(streamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [STREAM_TOKEN]: stream, ...auth(token) },
      body: JSON.stringify({ query, variables, extensions: { operationId } }),
    });

  beforeAll(async () => {
    server = await startServer(env);
    streamUrl = `${server.url}/graphql/stream`;
    analyst = await createToken(env, 'analyst');
    revoked = await createToken(env, 'analyst', [], 'revoked analyst');
    const listed = await run('pnpm', ['--silent', 'fangkong', 'token', 'list'], env);
    const id = listed.stdout.split('\n').find((line) => line.includes('revoked analyst'))!.split(/\s+/)[0]!;
    const revoking = await run('pnpm', ['--silent', 'fangkong', 'token', 'revoke', id], env);
    expect(revoking.code, revoking.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  describe('Reserve', () => {
    it('refuses a reservation without a token: 401 UNAUTHENTICATED, nothing reserved', async () => {
      const response = await reserve(null);
      expect(response.status).toBe(401);
      const body = (await response.json()) as Refusal;
      expect(body.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0]!.message).toMatch(/Authorization: Bearer/);
    });

    it('refuses an unknown token with 401 and a revoked one with 403, both UNAUTHENTICATED', async () => {
      const unknown = await reserve('fk_thisTokenWasNeverIssuedToAnyoneAtAllxxxxxxx');
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as Refusal).errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
      const gone = await reserve(revoked);
      expect(gone.status).toBe(403);
      const body = (await gone.json()) as Refusal;
      expect(body.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0]!.message).toMatch(/revoked/);
    });

    it('chooses the stream token itself: one the caller proposes is not taken', async () => {
      const token = await createToken(env, 'analyst');
      const response = await reserve(token, { [STREAM_TOKEN]: 'chosen-by-the-caller' });
      expect(response.status).toBe(201);
      const stream = await response.text();
      expect(stream).not.toBe('chosen-by-the-caller');
      expect(stream).toMatch(/^[0-9a-f-]{36}$/);
    });

    it(`caps reservations per token at ${RESERVATIONS_PER_TOKEN} with 429 TOO_MANY_STREAMS; other tokens are not affected`, async () => {
      const token = await createToken(env, 'analyst');
      for (let i = 0; i < RESERVATIONS_PER_TOKEN; i++) expect((await reserve(token)).status).toBe(201);
      const over = await reserve(token);
      expect(over.status).toBe(429);
      const body = (await over.json()) as Refusal;
      expect(body.errors[0]!.extensions?.code).toBe('TOO_MANY_STREAMS');
      expect(body.errors[0]!.message).toContain(String(RESERVATIONS_PER_TOKEN));
      expect((await reserve(await createToken(env, 'display'))).status).toBe(201);
      // Once the unconnected ones expire, the token may reserve again.
      await sleep(RESERVATION_TIMEOUT_MS + 1000);
      expect((await reserve(token)).status).toBe(201);
    });
  });

  describe('Connect and operate', () => {
    it('counts a connected stream against the cap until its connection closes', async () => {
      const token = await createToken(env, 'analyst');
      const streams = [];
      for (let i = 0; i < RESERVATIONS_PER_TOKEN; i++) streams.push(await (await reserve(token)).text());
      const hangUp = new AbortController();
      expect(keepOpen(await connect(token, streams[0]!, hangUp.signal)).status).toBe(200);
      expect((await reserve(token)).status).toBe(429);
      hangUp.abort();
      // Well before the other two expire, the closed stream's place is free again.
      let status = 0;
      for (let i = 0; i < 20 && status !== 201; i++) {
        await sleep(25);
        status = (await reserve(token)).status;
      }
      expect(status).toBe(201);
    });

    it('runs a subscription end to end on a reserved stream, through graphql-sse’s own client', async () => {
      const token = await createToken(env, 'analyst');
      const client = createSseClient({ url: streamUrl, singleConnection: true, retryAttempts: 0, headers: auth(token) });
      const events: { type: string; seq: string }[] = [];
      let failure: unknown;
      const dispose = client.subscribe<{ events: { type: string; seq: string } }>(
        { query: EVENTS },
        { next: (result) => (result.data ? events.push(result.data.events) : (failure = result.errors)), error: (error) => (failure = error), complete: () => {} },
      );
      try {
        // Longer than the reservation timeout: a connected stream does not expire.
        await sleep(RESERVATION_TIMEOUT_MS + 500);
        expect(failure).toBeUndefined();
        await reportCounts(server.graphqlUrl, countsInput({ peopleScreened: 3 }));
        for (let i = 0; i < 200 && !events.some((e) => e.type === 'CHECKPOINT_REPORT_REPORTED'); i++) await sleep(50);
        expect(failure).toBeUndefined();
        expect(events.map((e) => e.type)).toContain('CHECKPOINT_REPORT_REPORTED');
      } finally {
        dispose();
        client.dispose();
      }
    });

    it('binds a stream to the token that reserved it: another token cannot connect or operate on it', async () => {
      const owner = await createToken(env, 'analyst');
      const other = await createToken(env, 'analyst');
      const stream = await (await reserve(owner)).text();
      for (const response of [await connect(other, stream), await operate(other, stream, 'op-1', '{ checkpoints(first: 1) { totalCount } }')]) {
        expect(response.status).toBe(404);
        expect(((await response.json()) as Refusal).errors[0]!.extensions?.code).toBe('NOT_FOUND');
      }
      const refusedAnonymously = await operate(null, stream, 'op-2', '{ checkpoints(first: 1) { totalCount } }');
      expect(refusedAnonymously.status).toBe(401);
      // The owner's own connection still works, and its operation's result arrives on it.
      const abort = new AbortController();
      const connected = await connect(owner, stream, abort.signal);
      expect(connected.status).toBe(200);
      expect((await operate(owner, stream, 'op-3', '{ checkpoints(first: 1) { totalCount } }')).status).toBe(202);
      const text = await readUntil(connected, (t) => /event: complete/.test(t));
      abort.abort();
      expect(text).toMatch(/"id":"op-3","payload":\{"data":\{"checkpoints":\{"totalCount":\d+\}\}\}/);
    });

    it('refuses an anonymous connection to a reserved stream', async () => {
      const owner = await createToken(env, 'analyst');
      const stream = await (await reserve(owner)).text();
      const anonymousConnect = await connect(null, stream);
      expect(anonymousConnect.status).toBe(401);
      expect(((await anonymousConnect.json()) as Refusal).errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('Expire', () => {
    it(`frees a reservation nobody connects to within ${RESERVATION_TIMEOUT_MS} ms`, async () => {
      const token = await createToken(env, 'analyst');
      const stream = await (await reserve(token)).text();
      await sleep(RESERVATION_TIMEOUT_MS + 1000);
      const late = await connect(token, stream);
      expect(late.status).toBe(404);
      const body = (await late.json()) as Refusal;
      expect(body.errors[0]!.extensions?.code).toBe('NOT_FOUND');
      expect(body.errors[0]!.message).toMatch(/expire/);
      expect((await operate(token, stream, 'op-1', '{ checkpoints(first: 1) { totalCount } }')).status).toBe(404);
    });
  });

  describe('Memory', () => {
    it('holds nothing for 20,000 anonymous reservations: the heap stays where it was', async () => {
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(server.output())?.[1];
      expect(inspector, 'the server runs with --inspect').toBeDefined();
      const putMany = async (count: number) => {
        let next = 0;
        const statuses = new Set<number>();
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next++ < count) {
              const response = await fetch(streamUrl, { method: 'PUT' });
              statuses.add(response.status);
              await response.arrayBuffer();
            }
          }),
        );
        return statuses;
      };
      // Warm up first, so that what the server allocates once for any request is not counted.
      await putMany(2000);
      const before = await heapAfterGc(inspector!);
      const statuses = await putMany(20_000);
      const grown = (await heapAfterGc(inspector!)) - before;
      console.log(`20,000 anonymous PUTs: statuses ${[...statuses].join(', ')}; live heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
      // Each held reservation costs kilobytes (100,000 held about 250 MiB).
      expect(grown).toBeLessThan(8 * 2 ** 20);
      expect([...statuses]).toEqual([401]);
    });
  });

  describe('Authenticate before validating', () => {
    // Documents whose validation errors would name fields and types of the schema.
    const PROBES = ['{ nonexistentField }', '{ isolationCases { name } }'];
    const SCHEMA_WORDS = ['Cannot query', 'nonexistentField', 'isolationCases', 'IsolationCase', '"name"', 'Query'];
    const json = { 'content-type': 'application/json' };
    // A GET without a token passes Yoga's CSRF prevention only with a header a browser form cannot send.
    const csrf = { 'x-graphql-yoga-csrf': 'probe' };
    const TRANSPORTS: Record<string, (query: string, headers: Record<string, string>) => Promise<Response>> = {
      'HTTP GET': (query, headers) => fetch(`${server.graphqlUrl}?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/graphql-response+json', ...csrf, ...headers } }),
      'HTTP POST': (query, headers) => fetch(server.graphqlUrl, { method: 'POST', headers: { ...json, accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify({ query }) }),
      'SSE GET on /graphql': (query, headers) => fetch(`${server.graphqlUrl}?query=${encodeURIComponent(query)}`, { headers: { accept: 'text/event-stream', ...csrf, ...headers } }),
      'SSE POST on /graphql': (query, headers) => fetch(server.graphqlUrl, { method: 'POST', headers: { ...json, accept: 'text/event-stream', ...headers }, body: JSON.stringify({ query }) }),
      'SSE distinct connection on /graphql/stream': (query, headers) =>
        fetch(streamUrl, { method: 'POST', headers: { ...json, accept: 'text/event-stream', ...headers }, body: JSON.stringify({ query }) }),
      'SSE operation on a stream reserved on /graphql/stream': async (query, headers) => {
        const stream = await probeStream();
        return fetch(streamUrl, { method: 'POST', headers: { ...json, [STREAM_TOKEN]: stream, ...headers }, body: JSON.stringify({ query, extensions: { operationId: `probe-${++probes}` } }) });
      },
    };
    // One stream, reserved and connected by the analyst (so it does not expire), for every probe.
    const hangUp = new AbortController();
    let reserved: Promise<string> | undefined;
    const probeStream = () =>
      (reserved ??= (async () => {
        const stream = await (await reserve(analyst)).text();
        expect(keepOpen(await connect(analyst, stream, hangUp.signal)).status).toBe(200);
        return stream;
      })());
    afterAll(() => hangUp.abort());
    let probes = 0;
    const CALLERS: [string, () => Record<string, string>, number][] = [
      ['no token', () => ({}), 401],
      ['an unknown token', () => auth('fk_thisTokenWasNeverIssuedToAnyoneAtAllxxxxxxx'), 401],
      ['a revoked token', () => auth(revoked), 403],
    ];

    // GraphQL over HTTP answers a document it refuses with 400; a stream that is already open (SSE on
    // /graphql, a distinct connection) is 200 with the errors as its event.
    const VALIDATION_STATUS: Record<keyof typeof TRANSPORTS, number> = {
      'HTTP GET': 400,
      'HTTP POST': 400,
      'SSE GET on /graphql': 200,
      'SSE POST on /graphql': 200,
      'SSE distinct connection on /graphql/stream': 200,
      'SSE operation on a stream reserved on /graphql/stream': 400,
    };

    for (const [transport, send] of Object.entries(TRANSPORTS)) {
      it(`${transport}: without a usable token, ${PROBES.join(' and ')} are refused before validation, naming nothing of the schema`, async () => {
        for (const query of PROBES) {
          for (const [caller, headers, status] of CALLERS) {
            const response = await send(query, headers());
            const body = await response.text();
            expect(response.status, `${caller}, ${query}: ${body}`).toBe(status);
            expect(body, `${caller}, ${query}`).toContain('"code":"UNAUTHENTICATED"');
            for (const word of SCHEMA_WORDS) expect(body, `${caller}, ${query}`).not.toContain(word);
          }
        }
      });

      it(`${transport}: with a valid token, the document is validated as before`, async () => {
        const expected = ['Cannot query field "nonexistentField" on type "Query"', 'Cannot query field "name" on type "QueryIsolationCasesConnection"'];
        for (const [i, query] of PROBES.entries()) {
          const response = await send(query, auth(analyst));
          const body = await response.text();
          expect(body).not.toContain('UNAUTHENTICATED');
          // On a reserved stream a refused operation is answered on its own request (graphql-sse's
          // protocol: request errors as GraphQL over HTTP says); a distinct connection streams them.
          expect(response.status, body).toBe(VALIDATION_STATUS[transport]);
          expect(body).toContain(JSON.stringify(expected[i]).slice(1, -1));
          expect(body).toContain('"code":"GRAPHQL_VALIDATION_FAILED"');
        }
      });
    }

    it('serves the GraphiQL page itself without a token', async () => {
      const page = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('GraphiQL');
    });
  });

  describe('Refuse before executing', () => {
    const nest = (depth: number) => `{ areas { edges { node { ${'parent { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;
    // Each refused before anything runs, by a different step: parsing, validation rules (graphql-js
    // and graphql-armor's limits) and the guards before execute and subscribe; with the code /graphql gives.
    const REFUSED: [string, { query: string; variables?: Record<string, unknown> }, string][] = [
      ['a syntax error', { query: '{ zoneSummary { day }' }, 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', { query: '{ nonexistentField }' }, 'GRAPHQL_VALIDATION_FAILED'],
      ['depth 50', { query: nest(50) }, 'BAD_USER_INPUT'],
      ['40 aliases', { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: zoneSummary { day }`).join(' ')} }` }, 'BAD_USER_INPUT'],
      ['a huge page product', { query: '{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { reports(first: 500) { edges { node { id } } } } } } } } } }' }, 'QUERY_TOO_COSTLY'],
      ['a list of 501 ids', { query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: Array.from({ length: 501 }, (_, i) => `id${i}`) } }, 'BAD_USER_INPUT'],
      ['a subscription with a NUL character', { query: EVENTS, variables: { after: 'a\u0000b' } }, 'BAD_USER_INPUT'],
    ];
    /** What /graphql answers a client that accepts application/graphql-response+json. */
    const overHttp = async (request: { query: string; variables?: Record<string, unknown> }) => {
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...auth(analyst) },
        body: JSON.stringify(request),
      });
      return { body: (await response.json()) as Refusal };
    };
    /** The events of a finished event stream, in order, with their data parsed. */
    const eventsOf = (text: string) =>
      text
        .split('\n\n')
        .filter((block) => block.startsWith('event:'))
        .map((block) => {
          const [event, data] = block.split('\n').map((line) => line.slice(line.indexOf(':') + 1).trim());
          return { event, data: data ? JSON.parse(data) : null };
        });
    let stream: string;
    const hangUp = new AbortController();
    beforeAll(async () => {
      stream = await (await reserve(analyst)).text();
      expect(keepOpen(await connect(analyst, stream, hangUp.signal)).status).toBe(200);
    });
    afterAll(() => hangUp.abort());

    for (const [name, request, code] of REFUSED) {
      it(`${name}: /graphql refuses it with ${code}, and so does /graphql/stream in both modes`, async () => {
        const reference = await overHttp(request);
        expect(reference.body).not.toHaveProperty('data');
        expect(reference.body.errors.map((e) => e.extensions?.code)).toContain(code);

        // A reserved stream: the operation's own request answers, a request error of GraphQL over HTTP
        // (400, the status every refusal here has), with the errors /graphql gives.
        const onStream = await fetch(streamUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [STREAM_TOKEN]: stream, ...auth(analyst) },
          body: JSON.stringify({ ...request, extensions: { operationId: `refused-${name}` } }),
        });
        const onStreamText = await onStream.text();
        expect(onStream.status, onStreamText).toBe(400);
        expect(onStream.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(onStreamText)).toEqual(reference.body);

        // A distinct connection: accepted, the errors in one `next` event, then `complete` (graphql-sse's protocol).
        const distinct = await fetch(streamUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth(analyst) },
          body: JSON.stringify(request),
        });
        const distinctText = await readUntil(distinct, (text) => text.includes('event: complete'));
        expect(distinct.status, distinctText).toBe(200);
        expect(eventsOf(distinctText)).toEqual([
          { event: 'next', data: reference.body },
          { event: 'complete', data: null },
        ]);
      });
    }

    it('a refused operation leaves nothing on its stream: no event, and its id free for the corrected operation', async () => {
      const own = new AbortController();
      const mine = await (await reserve(analyst)).text();
      const events = await connect(analyst, mine, own.signal);
      expect(events.status).toBe(200);
      const refused = await operate(analyst, mine, 'summary', '{ zoneSummary { nonexistentField } }');
      expect(refused.status).toBe(400);
      await refused.text();
      // graphql-sse kept the id of an operation answered by its own request: 409 "Operation with ID already exists".
      const corrected = await operate(analyst, mine, 'summary', '{ zoneSummary { day } }');
      expect(corrected.status, await corrected.text()).toBe(202);
      const text = await readUntil(events, (t) => t.includes('event: complete'));
      own.abort();
      expect(eventsOf(text).map(({ event, data }) => [event, data.id])).toEqual([
        ['next', 'summary'],
        ['complete', 'summary'],
      ]);
    });
  });
});
