// What the simulator draws must look like the district and must always be what the server accepts
// (the same figure rules, from @fangkong/zone).
import { CHECKPOINT_FIGURES, figureIssues } from '@fangkong/zone';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';
import {
  CHECKPOINT_KINDS,
  drawCheckpointCounts,
  drawIncident,
  drawOutput,
  expectedCounts,
  expectedOutput,
  feverProbability,
  outputCeiling,
  pathToProducing,
  trafficShare,
} from './rhythm.ts';

describe('simulator rhythm', () => {
  it('draws the same figures from the same seed', () => {
    expect(drawCheckpointCounts('EXPRESSWAY_EXIT', 9.5, 1, seededRandom('a'))).toEqual(drawCheckpointCounts('EXPRESSWAY_EXIT', 9.5, 1, seededRandom('a')));
  });
  it('draws only checkpoint counts the server’s rules accept', () => {
    const rand = seededRandom('rules');
    for (const kind of CHECKPOINT_KINDS) {
      for (let hour = 0; hour < 24; hour += 0.5) {
        const counts = drawCheckpointCounts(kind, hour, 0.5 + (hour % 3), rand);
        expect(figureIssues(CHECKPOINT_FIGURES, counts)).toEqual([]);
      }
    }
  });
  const kind = fc.constantFrom(...CHECKPOINT_KINDS);
  const hour = fc.double({ min: 0, max: 24, noNaN: true, maxExcluded: true });
  const hours = fc.double({ min: 1 / 3600, max: 24, noNaN: true });
  const seed = fc.string({ maxLength: 12 });

  it('never reports more fever cases, Hubei links or referrals than people screened', () => {
    fc.assert(
      fc.property(kind, hour, hours, seed, (k, h, span, s) => {
        const counts = drawCheckpointCounts(k, h, span, seededRandom(s));
        for (const value of Object.values(counts)) expect(Number.isInteger(value) && value >= 0).toBe(true);
        expect(counts.feverCases).toBeLessThanOrEqual(counts.peopleScreened);
        expect(counts.hubeiLinked).toBeLessThanOrEqual(counts.peopleScreened);
        expect(counts.referred).toBeLessThanOrEqual(counts.peopleScreened);
      }),
    );
  });

  it('keeps fever rare: well under one in a hundred screened', () => {
    for (const k of CHECKPOINT_KINDS) expect(feverProbability(k)).toBeLessThan(0.01);
    const day = Array.from({ length: 24 }, (_, h) => drawCheckpointCounts('EXPRESSWAY_EXIT', h + 0.5, 1, seededRandom(`fever-${h}`)));
    const screened = day.reduce((sum, c) => sum + c.peopleScreened, 0);
    const fever = day.reduce((sum, c) => sum + c.feverCases, 0);
    expect(screened).toBeGreaterThan(1000);
    expect(fever / screened).toBeLessThan(0.01);
  });

  it('keeps output within twice the rated capacity pro rata, and passed QC within output', () => {
    const status = fc.constantFrom('PRODUCING' as const, 'COMMISSIONING' as const, 'IDLE' as const);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), status, hour, hours, seed, (capacity, st, h, span, s) => {
        const { produced, passedQc } = drawOutput(capacity, st, h, span, seededRandom(s));
        expect(produced).toBeLessThanOrEqual(Math.ceil(2 * capacity * (span / 24)));
        expect(produced).toBeLessThanOrEqual(outputCeiling(capacity, span));
        expect(passedQc).toBeLessThanOrEqual(produced);
        expect(passedQc).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('produces near rated capacity when producing, less while commissioning, nothing when idle', () => {
    const day = (status: 'PRODUCING' | 'COMMISSIONING' | 'IDLE') =>
      Array.from({ length: 24 }, (_, h) => expectedOutput(50_000, status, h + 0.5, 1)).reduce((a, b) => a + b, 0);
    expect(day('PRODUCING') / 50_000).toBeGreaterThan(0.85);
    expect(day('PRODUCING') / 50_000).toBeLessThanOrEqual(1);
    expect(day('COMMISSIONING')).toBeLessThan(day('PRODUCING') / 2);
    expect(day('IDLE')).toBe(0);
  });

  it('sees fewer people at expressway exits at night than by day', () => {
    const at = (h: number) => expectedCounts('EXPRESSWAY_EXIT', h, 1).peopleScreened;
    for (const night of [1, 2, 3, 4]) for (const day of [10, 11, 15, 16]) expect(at(night)).toBeLessThan(at(day) / 4);
  });

  it('peaks the market before dawn, compound gates morning and evening, and closes the supermarket at night', () => {
    const peakHour = (k: string) => Array.from({ length: 24 }, (_, h) => h).reduce((best, h) => (trafficShare(k, h) > trafficShare(k, best) ? h : best), 0);
    expect(peakHour('MARKET')).toBeLessThan(7);
    expect(trafficShare('COMPOUND_GATE', 8)).toBeGreaterThan(2 * trafficShare('COMPOUND_GATE', 14));
    expect(trafficShare('COMPOUND_GATE', 18)).toBeGreaterThan(2 * trafficShare('COMPOUND_GATE', 14));
    expect(expectedCounts('SUPERMARKET', 3, 1).peopleScreened).toBe(0);
    expect(expectedCounts('SUPERMARKET', 3, 1).disinfections).toBe(0);
  });

  it('ends every line incident producing, along allowed transitions', () => {
    const allowed: Record<string, string[]> = {
      INSTALLING: ['COMMISSIONING', 'HALTED'],
      COMMISSIONING: ['PRODUCING', 'INSTALLING', 'HALTED'],
      PRODUCING: ['IDLE', 'HALTED'],
      IDLE: ['PRODUCING', 'HALTED'],
      HALTED: ['COMMISSIONING'],
    };
    fc.assert(
      fc.property(seed, (s) => {
        const steps = drawIncident(seededRandom(s));
        let status = 'PRODUCING';
        for (const step of steps) {
          expect(allowed[status]).toContain(step.status);
          status = step.status;
        }
        expect(status).toBe('PRODUCING');
      }),
    );
    for (const from of ['IDLE', 'HALTED', 'COMMISSIONING', 'INSTALLING']) {
      let status = from;
      for (const next of pathToProducing(from)) {
        expect(allowed[status]).toContain(next);
        status = next;
      }
      expect(status).toBe('PRODUCING');
    }
  });
});
