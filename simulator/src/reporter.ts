// Sends one report and books its outcome: stored, already stored, refused (and why) or failed after
// every retry. Simulates flaky networks too: a share of reports is sent a second time with the same
// idempotency key, as a client does when the answer to its first try was lost.
import { type ApiClient, ApiError, NotSentError, type PostResult, RefusedError, REPORT_CHECKPOINT_COUNTS, REPORT_PRODUCTION_OUTPUT, refusalReason, SET_LINE_STATUS, type WriteResult } from './api-client.ts';
import type { Rand } from './random.ts';
import { bump, type Totals } from './status.ts';

export type Stream = 'checkpoint' | 'output';

export type ReportOutcome =
  | { kind: 'stored' | 'already' }
  | { kind: 'rejected'; reason: string; result: WriteResult }
  | { kind: 'failed'; reason: string }
  | { kind: 'not sent' };

export interface ReporterOptions {
  /** Share of reports sent again with the same key. @default 0.05 */
  duplicateFraction: number;
  rand: Rand;
}

export class Reporter {
  private stopping = false;

  constructor(
    private readonly client: ApiClient,
    private readonly totals: Totals,
    private readonly options: ReporterOptions,
  ) {}

  /** No more deliberate resends. */
  stop(): void {
    this.stopping = true;
  }

  async report(stream: Stream, input: Record<string, unknown>): Promise<ReportOutcome> {
    const mutation = stream === 'checkpoint' ? REPORT_CHECKPOINT_COUNTS : REPORT_PRODUCTION_OUTPUT;
    let answer: PostResult<WriteResult>;
    try {
      answer = await this.client.write(mutation, { input });
    } catch (error) {
      if (error instanceof NotSentError) return { kind: 'not sent' };
      this.totals.reports++;
      // Refused before the mutation ran (e.g. FORBIDDEN: outside this operator's scope).
      if (error instanceof RefusedError) return this.rejected({ __typename: 'GraphQLError', code: error.reason, message: error.message });
      return this.failed(error);
    }
    this.totals.reports++;
    const { data: result, uncertain } = answer;
    if (!isPayload(result)) return this.rejected(result);
    if (result.duplicate) this.totals.duplicates++;
    // A duplicate after an attempt whose answer was lost: that lost attempt is what stored it.
    const stored = !result.duplicate || uncertain;
    if (stored) {
      this.totals.accepted++;
      if (stream === 'checkpoint') this.totals.acceptedCheckpoint++;
      else this.totals.acceptedOutput++;
    } else {
      this.totals.alreadyStored++;
    }
    if (!this.stopping && this.options.rand() < this.options.duplicateFraction) await this.resend(mutation, input);
    return { kind: stored ? 'stored' : 'already' };
  }

  /** Moves a line to `status`; true when it is there (also when a lost answer had already moved it). */
  async setLineStatus(lineId: string, status: string, note: string, { unlimited = false } = {}): Promise<{ ok: boolean; current?: string; refused?: boolean }> {
    let result: WriteResult;
    try {
      ({ data: { result } } = await this.client.post<{ result: WriteResult }>(SET_LINE_STATUS, { lineId, status, note }, { write: true, unlimited }));
    } catch (error) {
      if (error instanceof NotSentError) return { ok: false };
      if (error instanceof RefusedError) {
        this.totals.rejected++;
        this.book(this.totals.rejectedBy, `setProductionLineStatus ${error.reason}`, error);
        return { ok: false, refused: true };
      }
      this.totals.failed++;
      this.book(this.totals.failedBy, `setProductionLineStatus ${error instanceof ApiError ? error.reason : 'error'}`, error);
      return { ok: false };
    }
    if (result.__typename === 'LineStatusPayload') {
      this.totals.statusChanges++;
      return { ok: true, current: result.line?.status };
    }
    if (result.code === 'INVALID_STATE' && result.current === status) return { ok: true, current: status };
    this.totals.rejected++;
    bump(this.totals, this.totals.rejectedBy, `setProductionLineStatus ${refusalReason(result)}`, result.message);
    return { ok: false, current: result.current, refused: true };
  }

  private async resend(mutation: string, input: Record<string, unknown>): Promise<void> {
    this.totals.resends++;
    try {
      const { data: again } = await this.client.write(mutation, { input });
      if (isPayload(again)) {
        if (again.duplicate) this.totals.duplicates++;
        else this.totals.doubleCounted++;
      }
    } catch {
      // The report itself is stored; a resend that fails changes nothing.
    }
  }

  private rejected(result: WriteResult): ReportOutcome {
    const reason = refusalReason(result);
    this.totals.rejected++;
    bump(this.totals, this.totals.rejectedBy, reason, result.message);
    return { kind: 'rejected', reason, result };
  }

  private failed(error: unknown): ReportOutcome {
    this.totals.failed++;
    // Given up after an attempt that may have reached the server: the report may be stored after all.
    const reason = error instanceof ApiError ? `${error.reason}${error.maybeApplied ? ' (may have been stored)' : ''}` : 'error';
    this.book(this.totals.failedBy, reason, error);
    return { kind: 'failed', reason };
  }

  private book(tally: Record<string, number>, reason: string, error: unknown): void {
    bump(this.totals, tally, reason, error instanceof Error ? error.message : String(error));
  }
}

const isPayload = (result: WriteResult) => result.__typename.endsWith('ReportPayload');
