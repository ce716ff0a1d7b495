import { wsClient } from './live.ts';

export type Transport = 'http' | 'ws' | 'sse';

export interface Result {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One operation, first result only, as the given token over the given transport (HTTP POST, graphql-ws, Yoga's SSE). */
export async function executeOver(
  server: { url: string; graphqlUrl: string },
  transport: Transport,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  extensions?: unknown,
): Promise<Result> {
  if (transport === 'http') {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables, extensions }),
    });
    return (await response.json()) as Result;
  }
  if (transport === 'ws') {
    const client = wsClient(server.url, { token });
    try {
      return await new Promise<Result>((resolve) => {
        const dispose = client.subscribe({ query, variables }, {
          next: (r) => {
            dispose();
            resolve(r as Result);
          },
          error: (e) => resolve({ errors: Array.isArray(e) ? e : [{ message: String((e as Error)?.message ?? (e as { reason?: string })?.reason ?? e) }] }),
          complete: () => {},
        });
      });
    } finally {
      await client.dispose();
    }
  }
  // Yoga's GraphQL over SSE (distinct connections): the first `next` event is the result.
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables, extensions }),
  });
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return (await response.json()) as Result;
  const reader = response.body!.getReader();
  let text = '';
  while (!/^data: .*$/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as Result;
}
