import { CloseCode as ProtocolCloseCode } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from './codes.ts';

describe('codes', () => {
  it("restates graphql-ws's close codes exactly", () => {
    for (const [name, code] of Object.entries(ProtocolCloseCode)) {
      if (typeof code === 'number') expect(CloseCode[name as keyof typeof CloseCode], name).toBe(code);
    }
  });
  it('gives every close code its own number', () => {
    const numbers = Object.values(CloseCode);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
  it('gives every error code its own text', () => {
    const texts = Object.values(ErrorCode);
    expect(new Set(texts).size).toBe(texts.length);
  });
});
