import type { Viewer } from '@fangkong/schema';

/**
 * What a token may see, as a key: tokens with the same role, scope and compounds are answered
 * alike, so live executions (live/shared-execution.ts) and kept answers (plugins/use-response-cache.ts)
 * are shared between them and never with anyone else.
 */
export const accessKey = (viewer: Viewer): unknown[] => [viewer.role, [...viewer.scope].sort(), [...viewer.compoundIds].sort()];

/** JSON-ready with object keys sorted, so `{a,b}` and `{b,a}` make the same key. */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, stable((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
