import { describe, expect, it } from 'vitest';
import { codeHash, newPassId, normaliseCode, passCode, printedCode, verifyPassCode } from './pass-code.ts';

const key = 'k'.repeat(40);

describe('gate pass codes', () => {
  it('verifies a code it signed, typed with separators and in lower case', () => {
    const id = newPassId();
    const code = passCode(key, id);
    expect(code).toMatch(/^FKP[0-9A-HJKMNP-TV-Z]{32}$/);
    expect(verifyPassCode(key, code)).toBe(id);
    expect(verifyPassCode(key, printedCode(code).toLowerCase())).toBe(id);
  });

  it('refuses a tampered code, a code of another key and garbage', () => {
    const id = newPassId();
    const code = passCode(key, id);
    const last = code.at(-1)!;
    expect(verifyPassCode(key, code.slice(0, -1) + (last === '0' ? '1' : '0'))).toBeNull();
    // Another pass id under the same MAC.
    const otherId = newPassId();
    expect(verifyPassCode(key, `FKP${otherId}${code.slice(19)}`)).toBeNull();
    expect(verifyPassCode('x'.repeat(40), code)).toBeNull();
    expect(verifyPassCode(key, 'FKP')).toBeNull();
    expect(verifyPassCode(key, '')).toBeNull();
  });

  it('reads O as 0 and I, L as 1, and hashes the canonical form', () => {
    expect(normaliseCode('fkp-o1il')).toBe('FKP0111');
    expect(codeHash('fkp-0000')).toBe(codeHash('FKP0000'));
  });

  it('makes ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPassId));
    expect(ids.size).toBe(1000);
  });
});
