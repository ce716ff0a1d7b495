// What the gate keeper's phone makes of a code before the server sees it: the canonical form (as the
// server's gate-scans/pass-code.ts), its SHA-256, and a verdict from the pass directory kept for offline
// use. The phone cannot check a signature (the key stays on the server): a code it does not find is
// UNKNOWN here, and the server judges every scan again on upload.

export type Verdict = 'VALID' | 'SUSPENDED' | 'REVOKED' | 'OTHER_COMPOUND' | 'UNKNOWN';

export interface DirectoryEntry {
  codeHash: string;
  compoundId: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'REVOKED';
}

export interface Directory {
  compoundId: string;
  asOf: string;
  passes: DirectoryEntry[];
}

/** Upper case, separators dropped, O read as 0 and I, L as 1 (Crockford base32), with the FKP prefix. */
export function normaliseCode(input: string): string {
  const body = input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/^FKP/, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return `FKP${body}`;
}

/** SHA-256 (hex) of the canonical code: the directory's key. */
export async function codeHash(code: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(normaliseCode(code)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The verdict the directory gives a code's hash. */
export function judge(directory: Pick<Directory, 'compoundId'> & { byHash: Map<string, DirectoryEntry> }, hash: string): Verdict {
  const pass = directory.byHash.get(hash);
  if (!pass) return 'UNKNOWN';
  if (pass.status !== 'ACTIVE') return pass.status;
  return pass.compoundId === directory.compoundId ? 'VALID' : 'OTHER_COMPOUND';
}

export const indexDirectory = (directory: Directory) => ({ ...directory, byHash: new Map(directory.passes.map((p) => [p.codeHash, p])) });
