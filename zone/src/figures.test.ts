import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FIGURES, figureIssues, zeroCheckpointCounts } from './figures.ts';

describe('figures', () => {
  it('accepts a plausible report', () => {
    expect(figureIssues(CHECKPOINT_FIGURES, { ...zeroCheckpointCounts(), peopleScreened: 212, feverCases: 1, vehiclesInspected: 41 })).toEqual([]);
  });
  it('names every broken limit once, in figure order', () => {
    const issues = figureIssues(CHECKPOINT_FIGURES, { ...zeroCheckpointCounts(), vehiclesInspected: -1, peopleScreened: 2, feverCases: 3, referred: 2.5 });
    expect(issues.map((i) => i.field)).toEqual(['vehiclesInspected', 'feverCases', 'referred']);
    expect(issues[1]).toEqual({ field: 'feverCases', rule: 'NOT_MORE_THAN_FIELD', relatedField: 'peopleScreened', limit: 2, actual: 3, message: 'cannot exceed peopleScreened (2); got 3' });
  });
});
