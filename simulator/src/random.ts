// Seeded randomness for the simulator: replays draw their figures from a stream keyed by the
// report, so a re-run submits byte-identical payloads and the server answers "duplicate".
import { createHash, randomBytes } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export type Rand = () => number;

/** xoshiro128** over four 32-bit words taken from SHA-256 of the key. */
export function seededRandom(key: string): Rand {
  const digest = createHash('sha256').update(`fangkong-simulator/${key}`).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4_294_967_296;
  };
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** A fresh unpredictable stream (live mode). */
export function freshRandom(): Rand {
  return seededRandom(randomBytes(16).toString('hex'));
}

/** Standard normal draw (Box–Muller). */
export function normal(rand: Rand): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Poisson draw: exact for small means, normal approximation above 40. */
export function poisson(rand: Rand, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const threshold = Math.exp(-mean);
  let k = -1;
  let product = 1;
  do {
    k++;
    product *= rand();
  } while (product > threshold);
  return k;
}

/** How many of n trials succeed with probability p each. */
export function binomial(rand: Rand, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (n > 200) return Math.min(n, poisson(rand, n * p));
  let hits = 0;
  for (let i = 0; i < n; i++) if (rand() < p) hits++;
  return hits;
}

/** Rounds a fractional amount up with probability equal to its fraction, so totals stay right in expectation. */
export function stochasticRound(rand: Rand, x: number): number {
  if (!(x > 0)) return 0;
  return Math.floor(x + rand());
}

/** Uniform in [min, max). */
export const between = (rand: Rand, min: number, max: number) => min + (max - min) * rand();
