// The figures each report carries, named once: their order, limits, labels and descriptions.
// The schema's inputs and rules, the simulator, the report page and the benchmarks all read them here.

import { type FieldIssue, FieldRule } from './codes.ts';

export interface Figure<Name extends string = string> {
  name: Name;
  /** Most a single report may carry: far above any real period at one site, low enough to catch typos. */
  max: number;
  /** Another figure of the same report this one may not exceed (fever cases ≤ people screened). */
  atMost?: string;
  zh: string;
  en: string;
  description: string;
}

/** The six figures a checkpoint reports for one period, in display order. */
export const CHECKPOINT_FIGURES = [
  { name: 'vehiclesInspected', max: 100_000, zh: '检查车辆', en: 'Vehicles inspected', description: 'Vehicles inspected (and registered).' },
  { name: 'peopleScreened', max: 1_000_000, zh: '测温人数', en: 'People screened', description: 'People screened (temperature taken).' },
  { name: 'feverCases', max: 1_000_000, atMost: 'peopleScreened', zh: '发热人员', en: 'Fever cases', description: 'Fever cases found; at most peopleScreened.' },
  { name: 'hubeiLinked', max: 1_000_000, atMost: 'peopleScreened', zh: '涉鄂人员', en: 'Hubei-linked', description: 'People with recent travel to or from Hubei; at most peopleScreened.' },
  { name: 'referred', max: 1_000_000, atMost: 'peopleScreened', zh: '转诊人员', en: 'Referred', description: 'People referred to isolation or medical care; at most peopleScreened.' },
  { name: 'disinfections', max: 100_000, zh: '消杀次数', en: 'Disinfections', description: 'Disinfections carried out (vehicles, sites).' },
] as const satisfies readonly Figure[];

/** The two figures a production line reports for one period. */
export const OUTPUT_FIGURES = [
  { name: 'produced', max: 10_000_000, zh: '产量', en: 'Produced', description: 'Units produced.' },
  { name: 'passedQc', max: 10_000_000, atMost: 'produced', zh: '质检合格', en: 'Passed QC', description: 'Units that passed quality control; at most produced.' },
] as const satisfies readonly Figure[];

export type CheckpointFigure = (typeof CHECKPOINT_FIGURES)[number]['name'];
export type OutputFigure = (typeof OUTPUT_FIGURES)[number]['name'];

/** The names, in order. */
export const CHECKPOINT_FIGURE_NAMES = CHECKPOINT_FIGURES.map((f) => f.name) as readonly CheckpointFigure[];
export const OUTPUT_FIGURE_NAMES = OUTPUT_FIGURES.map((f) => f.name) as readonly OutputFigure[];

/** One checkpoint report's figures. */
export type CheckpointCounts = Record<CheckpointFigure, number>;
/** One production report's figures. */
export type OutputCounts = Record<OutputFigure, number>;

/** All six checkpoint figures at zero. */
export const zeroCheckpointCounts = (): CheckpointCounts => Object.fromEntries(CHECKPOINT_FIGURE_NAMES.map((name) => [name, 0])) as CheckpointCounts;

/** A report may claim at most this multiple of a line's rated daily capacity, pro rata to its period. */
export const OUTPUT_CAPACITY_TOLERANCE = 2;

/** Why each figure of a report breaks its limits, in figure order; empty when all hold. */
export function figureIssues<F extends readonly Figure[]>(figures: F, values: Record<F[number]['name'], number>): FieldIssue<F[number]['name']>[] {
  const issues: FieldIssue<F[number]['name']>[] = [];
  const byName = values as Record<string, number>;
  for (const figure of figures) {
    const field = figure.name as F[number]['name'];
    const actual = byName[figure.name]!;
    if (!Number.isInteger(actual) || actual < 0) issues.push({ field, rule: FieldRule.WholeNumber, actual, message: `must be a whole number ≥ 0; got ${actual}` });
    else if (actual > figure.max) issues.push({ field, rule: FieldRule.AtMostPerReport, limit: figure.max, actual, message: `at most ${figure.max} per report; got ${actual}` });
    else if (figure.atMost && actual > byName[figure.atMost]!) {
      const limit = byName[figure.atMost]!;
      issues.push({ field, rule: FieldRule.NotMoreThanField, relatedField: figure.atMost, limit, actual, message: `cannot exceed ${figure.atMost} (${limit}); got ${actual}` });
    }
  }
  return issues;
}
