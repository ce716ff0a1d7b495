// A gate pass's code: the pass's random id and an HMAC of it under the pass key, in Crockford base32
// so it prints, scans (QR alphanumeric mode) and can be typed from the card. The database keeps only
// the id: a copy of the database without the key cannot print a pass, and a code cannot be guessed
// (80 random bits) nor altered (80 bits of HMAC-SHA256) without the key.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PREFIX = 'FKP';
/** 10 bytes = 16 base32 characters each for the id and the MAC. */
const PART_BYTES = 10;
const PART_CHARS = 16;
const DOMAIN = 'fangkong-gate-pass:v1:';

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

const mac = (key: string, passId: string) => base32(createHmac('sha256', key).update(DOMAIN + passId).digest().subarray(0, PART_BYTES));

/** A new pass id: 80 random bits. */
export const newPassId = (): string => base32(randomBytes(PART_BYTES));

/** The code printed on a pass (canonical form: no separators). */
export const passCode = (key: string, passId: string): string => PREFIX + passId + mac(key, passId);

/** The code as printed on a card: the prefix, then groups of four for reading aloud and typing. */
export const printedCode = (code: string): string => [PREFIX, ...code.slice(PREFIX.length).match(/.{1,4}/g)!].join('-');

/**
 * What was scanned or typed, in canonical form: upper case, separators dropped, the letters Crockford
 * base32 reads as digits (O → 0, I and L → 1). The gate keeper's page does the same (client/src/gate/).
 */
export function normaliseCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/^FKP/, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
    .replace(/^/, PREFIX);
}

/** SHA-256 of the canonical code: how a scan names its code without keeping it, and how gate phones look codes up offline. */
export const codeHash = (code: string): string => createHash('sha256').update(normaliseCode(code)).digest('hex');

/** The pass id a code names when its MAC is right under the key; null for anything else (malformed, tampered, another key). */
export function verifyPassCode(key: string, input: string): string | null {
  const code = normaliseCode(input);
  if (code.length !== PREFIX.length + 2 * PART_CHARS || !/^[0-9A-Z]+$/.test(code)) return null;
  const passId = code.slice(PREFIX.length, PREFIX.length + PART_CHARS);
  const given = Buffer.from(code.slice(PREFIX.length + PART_CHARS));
  const expected = Buffer.from(mac(key, passId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? passId : null;
}
