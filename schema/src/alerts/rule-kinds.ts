import type { $Enums } from '@fangkong/prisma';
import type { FieldIssue } from '../core/write-errors.ts';

// The parameters of each kind of alert rule, named and checked once: the evaluator reads them
// through `parametersOf`, and `updateAlertRule` refuses parameters that do not fit the rule's kind.

export type AlertRuleKind = $Enums.AlertRuleKind;

export interface RuleParameters {
  /** A fever case at a checkpoint of these kinds raises an alert naming the site and period. */
  FEVER_AT_ENTRY: { checkpointKinds: $Enums.CheckpointKind[]; minFeverCases: number };
  /** No report for more than `intervals` × the site's reportIntervalMinutes; sites silent for longer than `lookbackHours` are not in service and not watched. */
  SILENT_SITE: { intervals: number; lookbackHours: number };
  /** A producing line's output over the last `windowHours` below `minPercent` % of its rated capacity for that time. */
  OUTPUT_UNDER_TARGET: { windowHours: number; minPercent: number };
  /** A line halted for more than `minutes`. */
  LINE_HALTED: { minutes: number };
  /** A product's stock below its safety level (Product.safetyLevel, set with setProductSafetyLevel; supplies/stock.ts says what "low" is). No parameters of its own. */
  STOCK_LOW: Record<string, never>;
  /** An active isolation case without a health check today by this local time ("HH:MM"). */
  ISOLATION_NO_CHECK: { byLocalTime: string };
  /** A health check with a temperature at or above this (°C). */
  ISOLATION_FEVER: { minTemperature: number };
  /** A task past its due time by more than `graceMinutes` and not done; tasks due more than `lookbackDays` ago are not watched. */
  TASK_OVERDUE: { graceMinutes: number; lookbackDays: number };
  /** A finding not resolved `rectifyWithinDays` after its inspection; inspections older than that plus `lookbackDays` are not watched. */
  FINDING_OVERDUE: { rectifyWithinDays: number; lookbackDays: number };
  /** A report whose figure is more than `maxModifiedZ` from the median of the same hour of day over `historyDays` (at least `minSamples` reports). */
  SUSPICIOUS_FIGURES: { maxModifiedZ: number; historyDays: number; minSamples: number };
  /** Gate scanning (gate-scans/anomaly-alerts.ts): a suspended pass scanned; a revoked one too with `includeRevoked`. */
  GATE_SUSPENDED_PASS: { includeRevoked: boolean };
  /** A pass scanned at the gate of another compound. */
  GATE_OTHER_COMPOUND: Record<string, never>;
  /** One pass scanned at least `minScans` times at one gate within a window of `windowMinutes` of the local day. */
  GATE_FREQUENT_PASS: { minScans: number; windowMinutes: number };
  /** A wall display silent (no live connection) for more than `minutes` (fractions allowed); screens silent for longer than `lookbackHours` are retired, not watched. */
  SCREEN_SILENT: { minutes: number; lookbackHours: number };
}

type Check = (value: unknown) => string | null;

const number =
  (min: number, max: number, integer = false): Check =>
  (value) =>
    typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max
      ? `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`
      : null;

const CHECKPOINT_KINDS: $Enums.CheckpointKind[] = ['EXPRESSWAY_EXIT', 'ROAD', 'COMPOUND_GATE', 'MARKET', 'SUPERMARKET'];

const checkpointKinds: Check = (value) =>
  Array.isArray(value) && value.length > 0 && value.every((k) => CHECKPOINT_KINDS.includes(k))
    ? null
    : `must be a non-empty list of checkpoint kinds (${CHECKPOINT_KINDS.join(', ')})`;

const boolean: Check = (value) => (typeof value === 'boolean' ? null : 'must be true or false');

const localTime: Check = (value) => (typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(value) ? null : 'must be a local time "HH:MM"');

const SHAPES: { [K in AlertRuleKind]: Record<keyof RuleParameters[K], Check> } = {
  FEVER_AT_ENTRY: { checkpointKinds, minFeverCases: number(1, 10_000, true) },
  SILENT_SITE: { intervals: number(1, 100), lookbackHours: number(1, 24 * 31) },
  OUTPUT_UNDER_TARGET: { windowHours: number(1, 24), minPercent: number(1, 100) },
  LINE_HALTED: { minutes: number(1, 7 * 24 * 60, true) },
  STOCK_LOW: {},
  ISOLATION_NO_CHECK: { byLocalTime: localTime },
  ISOLATION_FEVER: { minTemperature: number(35, 43) },
  TASK_OVERDUE: { graceMinutes: number(0, 7 * 24 * 60, true), lookbackDays: number(1, 365, true) },
  FINDING_OVERDUE: { rectifyWithinDays: number(0, 365), lookbackDays: number(1, 365, true) },
  SUSPICIOUS_FIGURES: { maxModifiedZ: number(1, 100), historyDays: number(1, 90, true), minSamples: number(3, 1000, true) },
  GATE_SUSPENDED_PASS: { includeRevoked: boolean },
  GATE_OTHER_COMPOUND: {},
  GATE_FREQUENT_PASS: { minScans: number(2, 1000, true), windowMinutes: number(1, 1440, true) },
  SCREEN_SILENT: { minutes: number(0, 7 * 24 * 60), lookbackHours: number(1, 24 * 31) },
};

/** What is wrong with `parameters` for a rule of `kind` (empty: they fit), each issue under `parameters.<name>`. */
export function parameterIssues(kind: AlertRuleKind, parameters: unknown): FieldIssue[] {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    return [{ field: 'parameters', message: 'must be a JSON object' }];
  }
  const shape = SHAPES[kind] as Record<string, Check>;
  const given = parameters as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const [name, check] of Object.entries(shape)) {
    const problem = name in given ? check(given[name]) : 'is required';
    if (problem) issues.push({ field: `parameters.${name}`, message: problem });
  }
  for (const name of Object.keys(given)) {
    if (!(name in shape)) issues.push({ field: `parameters.${name}`, message: `is not a parameter of ${kind} (they are: ${Object.keys(shape).join(', ')})` });
  }
  return issues;
}

/** A stored rule's parameters, typed by its kind (they were checked when written). */
export function parametersOf<K extends AlertRuleKind>(_kind: K, parameters: unknown): RuleParameters[K] {
  return parameters as RuleParameters[K];
}
