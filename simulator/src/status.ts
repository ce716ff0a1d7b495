// What the simulator has done, kept as counters, and how it is told to a person: one status line
// every few seconds and a summary at the end. Never a line per report.

/** The simulator's running totals. */
export interface Totals {
  mode: 'live' | 'replay';
  /** Seconds since the simulator started sending. */
  elapsedSeconds: number;
  /** Mutation requests sent: first attempts, retries and deliberate resends. */
  requests: number;
  /** Distinct reports (idempotency keys) submitted. */
  reports: number;
  /** Reports the server stored because of this run, by stream. */
  accepted: number;
  acceptedCheckpoint: number;
  acceptedOutput: number;
  /** Answers with `duplicate: true` (resends, retries after a lost answer, re-run replays). */
  duplicates: number;
  /** Reports whose key the server already held before this run (a replay run twice). */
  alreadyStored: number;
  /** Reports re-sent on purpose with the same key, as a client whose answer got lost would. */
  resends: number;
  /** Reports the server refused with a typed error, and why. */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** Attempts repeated after a network error, a timeout or a 5xx. */
  retries: number;
  /** Reports given up after every retry failed, and why. */
  failed: number;
  failedBy: Record<string, number>;
  /** Line status changes made (incidents and their recovery). */
  statusChanges: number;
  /** A resend stored a second row: the server broke idempotency. Should stay 0. */
  doubleCounted: number;
  /** The first full message seen for each rejection or failure reason. */
  examples: Record<string, string>;
}

export function emptyTotals(mode: Totals['mode']): Totals {
  return {
    mode,
    elapsedSeconds: 0,
    requests: 0,
    reports: 0,
    accepted: 0,
    acceptedCheckpoint: 0,
    acceptedOutput: 0,
    duplicates: 0,
    alreadyStored: 0,
    resends: 0,
    rejected: 0,
    rejectedBy: {},
    retries: 0,
    failed: 0,
    failedBy: {},
    statusChanges: 0,
    doubleCounted: 0,
    examples: {},
  };
}

/** Counts one more of `reason` and keeps its first full message. */
export function bump(totals: Totals, tally: Record<string, number>, reason: string, message?: string): void {
  tally[reason] = (tally[reason] ?? 0) + 1;
  if (message && !(reason in totals.examples)) totals.examples[reason] = message.length > 240 ? `${message.slice(0, 240)}…` : message;
}

/** The most frequent reason and its count, or undefined. */
export function topReason(tally: Record<string, number>): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const entry of Object.entries(tally)) if (!best || entry[1] > best[1]) best = entry;
  return best;
}

export const copyTotals = (t: Totals): Totals => ({ ...t, rejectedBy: { ...t.rejectedBy }, failedBy: { ...t.failedBy }, examples: { ...t.examples } });

/** Remembers the previous status line's totals to print rates over the last interval. */
export class StatusLine {
  private last: { at: number; requests: number; reports: number } = { at: 0, requests: 0, reports: 0 };

  constructor(
    private readonly header: string,
    private readonly rateLimit: number,
  ) {}

  /** One line: what runs, where the simulated clock is, sending rate and outcomes so far. */
  format(t: Totals, where: string, extra = ''): string {
    const seconds = t.elapsedSeconds - this.last.at;
    const rate = (now: number, before: number) => (seconds > 0 ? (now - before) / seconds : 0).toFixed(1);
    const sent = `${rate(t.reports, this.last.reports)} reports/s, ${rate(t.requests, this.last.requests)} req/s (limit ${this.rateLimit})`;
    this.last = { at: t.elapsedSeconds, requests: t.requests, reports: t.reports };
    const parts = [
      `${clock()} ${this.header}`,
      where,
      sent,
      outcomeText(t),
    ];
    if (extra) parts.push(extra);
    return parts.join(' | ');
  }
}

function outcomeText(t: Totals): string {
  const rejected = topReason(t.rejectedBy);
  const failed = topReason(t.failedBy);
  return [
    `reports ${t.reports}`,
    `accepted ${t.accepted}`,
    `duplicates ${t.duplicates}${t.alreadyStored ? ` (${t.alreadyStored} already stored)` : ''}`,
    `rejected ${t.rejected}${rejected ? ` (${rejected[0]} ×${rejected[1]})` : ''}`,
    `retries ${t.retries}`,
    `failed ${t.failed}${failed ? ` (${failed[0]} ×${failed[1]})` : ''}`,
  ].join(', ');
}

/** The closing summary: one totals line, then one line per distinct refusal or failure. */
export function summary(t: Totals, why: string): string[] {
  const perSecond = t.elapsedSeconds > 0 ? t.requests / t.elapsedSeconds : 0;
  const lines = [
    `${t.mode} simulation ${why} after ${t.elapsedSeconds.toFixed(1)} s`,
    `totals: reports ${t.reports}, accepted ${t.accepted} (checkpoint ${t.acceptedCheckpoint}, output ${t.acceptedOutput}), ` +
      `duplicates ${t.duplicates} (resent on purpose ${t.resends}, already stored ${t.alreadyStored}), rejected ${t.rejected}, ` +
      `retries ${t.retries}, failed ${t.failed}, requests ${t.requests} (${perSecond.toFixed(1)}/s), line status changes ${t.statusChanges}`,
  ];
  const detail = (reason: string) => (t.examples[reason] && t.examples[reason] !== reason ? ` — ${t.examples[reason]}` : '');
  for (const [reason, n] of sorted(t.rejectedBy)) lines.push(`  rejected ×${n}: ${reason}${detail(reason)}`);
  for (const [reason, n] of sorted(t.failedBy)) lines.push(`  failed ×${n}: ${reason}${detail(reason)}`);
  if (t.doubleCounted) lines.push(`  WARNING: ${t.doubleCounted} resends were stored again instead of answered as duplicates`);
  return lines;
}

const sorted = (tally: Record<string, number>) => Object.entries(tally).sort((a, b) => b[1] - a[1]);

const clock = () => new Date().toTimeString().slice(0, 8);
