import { type Figure, type FieldIssue, FieldRule, figureIssues } from '@fangkong/zone';
import { ValidationError } from './write-errors.ts';

/** A period starting before this year is a typing slip. */
const EARLIEST_YEAR = 2019;

/** Collects every broken rule of one input, then throws them together. */
export class Rules {
  private readonly issues: FieldIssue[] = [];

  /** A broken rule; `detail` gives its code and values when clients word it themselves. */
  fail(field: string, message: string, detail: Omit<FieldIssue, 'field' | 'message'> = {}): this {
    this.issues.push({ field, message, ...detail });
    return this;
  }

  /** An issue found elsewhere (a nested input's), kept with its rule and values. */
  add(issue: FieldIssue): this {
    this.issues.push(issue);
    return this;
  }

  count(field: string, value: number, max: number): this {
    if (!Number.isInteger(value) || value < 0) return this.fail(field, `must be a whole number ≥ 0; got ${value}`, { rule: FieldRule.WholeNumber, actual: value });
    if (value > max) return this.fail(field, `at most ${max} per report; got ${value}`, { rule: FieldRule.AtMostPerReport, limit: max, actual: value });
    return this;
  }

  /** The limits of a report's figures (each at most its maximum, and at most the figure it is part of). */
  figures<F extends readonly Figure[]>(figures: F, values: Record<F[number]['name'], number>): this {
    this.issues.push(...figureIssues(figures, values));
    return this;
  }

  notMore(field: string, value: number, limitField: string, limit: number): this {
    if (value > limit) this.fail(field, `cannot exceed ${limitField} (${limit}); got ${value}`, { rule: FieldRule.NotMoreThanField, relatedField: limitField, limit, actual: value });
    return this;
  }

  text(field: string, value: string | null | undefined, { required = false, max = 2000 } = {}): this {
    const trimmed = value?.trim() ?? '';
    if (required && !trimmed) return this.fail(field, 'must not be empty', { rule: FieldRule.Required });
    if (trimmed.length > max) this.fail(field, `at most ${max} characters; got ${trimmed.length}`, { rule: FieldRule.TooLong, limit: max, actual: trimmed.length });
    return this;
  }

  /** A reporting period: ordered, at most 24 h, not in the future beyond a little clock skew. */
  period(start: Date, end: Date, now: Date, { maxHours = 24, skewMinutes = 5 } = {}): this {
    if (end.getTime() <= start.getTime()) return this.fail('periodEnd', `must be after periodStart (${start.toISOString()})`, { rule: FieldRule.EndAfterStart, at: start.toISOString() });
    if (end.getTime() - start.getTime() > maxHours * 3_600_000) this.fail('periodEnd', `a period covers at most ${maxHours} hours`, { rule: FieldRule.PeriodTooLong, limit: maxHours });
    if (end.getTime() > now.getTime() + skewMinutes * 60_000) this.fail('periodEnd', `is in the future (now ${now.toISOString()})`, { rule: FieldRule.InFuture, at: now.toISOString() });
    if (start.getUTCFullYear() < EARLIEST_YEAR) this.fail('periodStart', `is before ${EARLIEST_YEAR}; check the date`, { rule: FieldRule.TooEarly, limit: EARLIEST_YEAR });
    return this;
  }

  check(): void {
    if (this.issues.length) throw new ValidationError(this.issues);
  }
}

/** Idempotency keys: printable, bounded. */
export function checkIdempotencyKey(rules: Rules, key: string): void {
  if (!/^[\x21-\x7e]{8,128}$/.test(key)) rules.fail('idempotencyKey', 'must be 8–128 printable ASCII characters without spaces (a UUID is ideal)', { rule: FieldRule.KeyFormat });
}
