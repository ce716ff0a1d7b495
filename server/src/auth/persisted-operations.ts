import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DocumentNode, parse, print } from 'graphql';

/** The partner manifest: the only operations partner tokens may run, by SHA-256 of their text. */
export const manifestPath = fileURLToPath(new URL('../../persisted-operations.json', import.meta.url));

export const operationHash = (query: string) => createHash('sha256').update(query).digest('hex');

export interface PersistedOperations {
  /** The stored text for a hash, for requests that send only the hash or document id. */
  byHash: Map<string, string>;
  /** True when a parsed document is one of the manifest's operations. */
  isPersisted(document: DocumentNode): boolean;
}

export function loadPersistedOperations(path = manifestPath): PersistedOperations {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  const byHash = new Map<string, string>();
  const printed = new Set<string>();
  for (const [hash, query] of Object.entries(manifest)) {
    if (operationHash(query) !== hash) throw new Error(`${path}: the key of an operation must be the SHA-256 of its text (${hash})`);
    byHash.set(hash, query);
    printed.add(print(parse(query)));
  }
  // Documents compare by their canonical print, so whitespace and comments do not matter.
  return { byHash, isPersisted: (document) => printed.has(print(document)) };
}
