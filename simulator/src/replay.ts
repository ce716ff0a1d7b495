// Replay mode: one local day, hour by hour, compressed by `speed` (×360: a day in four minutes).
// Every figure is drawn from a stream seeded by the report's key `replay:<day>:<site>:<hour>`, so a
// second replay of the same day submits the same payloads under the same keys and adds nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { dayHourInstant, localDate } from '@fangkong/zone';
import { seededRandom } from './random.ts';
import { type CheckpointInfo, dayCheckpointReports, type LineInfo, statusAt } from './reference-data.ts';
import { drawCheckpointCounts, drawOutput, type LineStatus, reportsOutput } from './rhythm.ts';
import { JobPool, type ModeRun, type RunContext } from './run-context.ts';

export interface ReplayOptions {
  /** The local day, YYYY-MM-DD. */
  day: string;
  /** Simulated hours per real hour. */
  speed: number;
}

interface Hour {
  index: number;
  start: Date;
  end: Date;
}

export function replayKey(day: string, slug: string, hour: number): string {
  return `replay:${day}:${slug}:${String(hour).padStart(2, '0')}`;
}

/** The local hours of `day` that have ended by `now`. */
export function replayHours(day: string, timeZone: string, now: number): Hour[] {
  const hours: Hour[] = [];
  for (let index = 0; index < 24; index++) {
    const start = dayHourInstant(day, index, timeZone);
    const end = dayHourInstant(day, index + 1, timeZone);
    if (end.getTime() <= now) hours.push({ index, start, end });
  }
  return hours;
}

export function startReplay(ctx: RunContext, checkpoints: CheckpointInfo[], lines: LineInfo[], options: ReplayOptions): ModeRun {
  const { day, speed } = options;
  const hours = replayHours(day, ctx.timeZone, ctx.now());
  const stepMs = 3_600_000 / speed;
  const cancel = new AbortController();
  const pool = new JobPool(ctx.concurrency);
  let current: Hour | undefined;
  let hoursDone = 0;

  async function reportCheckpoint(checkpoint: CheckpointInfo, hour: Hour): Promise<void> {
    // Only while it was open: from its opening, and not from its closing on.
    if (checkpoint.openedAt && checkpoint.openedAt >= hour.end) return;
    if (checkpoint.status === 'CLOSED' && (!checkpoint.closedAt || checkpoint.closedAt <= hour.start)) return;
    const start = checkpoint.openedAt && checkpoint.openedAt > hour.start ? checkpoint.openedAt : hour.start;
    const key = replayKey(day, checkpoint.slug, hour.index);
    const hoursCovered = (hour.end.getTime() - start.getTime()) / 3_600_000;
    const counts = drawCheckpointCounts(checkpoint.kind, hour.index + 0.5, hoursCovered, seededRandom(key));
    await ctx.reporter.report('checkpoint', {
      checkpointId: checkpoint.id,
      periodStart: start.toISOString(),
      periodEnd: hour.end.toISOString(),
      ...counts,
      source: 'SIMULATED',
      idempotencyKey: key,
    });
  }

  async function reportLine(line: LineInfo, hour: Hour): Promise<void> {
    // What the line was doing then, from its status history (a line not yet installed reports nothing).
    const status = line.statusHistory.length ? statusAt(line, hour.start) : line.status;
    if (!status || !reportsOutput(status)) return;
    const key = replayKey(day, line.slug, hour.index);
    const { produced, passedQc } = drawOutput(line.ratedDailyCapacity, status as LineStatus, hour.index + 0.5, 1, seededRandom(key));
    await ctx.reporter.report('output', {
      lineId: line.id,
      periodStart: hour.start.toISOString(),
      periodEnd: hour.end.toISOString(),
      produced,
      passedQc,
      source: 'SIMULATED',
      idempotencyKey: key,
    });
  }

  async function run(): Promise<void> {
    if (hours.length < 24) {
      ctx.note(hours.length ? `${day} is not over yet: replaying its first ${hours.length} hours` : `${day} has no finished hour yet: nothing to replay`);
    }
    const before = await dayCheckpointReports(ctx.client, day).catch(() => undefined);
    if (before) ctx.note(`${day} already holds ${before} checkpoint reports; those this replay stored before are answered as duplicates, and hours others already reported are refused as overlapping (nothing counts twice)`);
    const startedAt = performance.now();
    for (const [n, hour] of hours.entries()) {
      // Stopping aborts the wait at once (the rejection is the signal to return).
      await sleep(Math.max(0, startedAt + n * stepMs - performance.now()), undefined, { signal: cancel.signal }).catch(() => {});
      if (cancel.signal.aborted) return;
      current = hour;
      const jobs = [...checkpoints.map((c) => () => reportCheckpoint(c, hour)), ...lines.map((l) => () => reportLine(l, hour))];
      for (const job of jobs) {
        await pool.slot();
        if (cancel.signal.aborted) break;
        void pool.start(job);
      }
      await pool.drain();
      hoursDone++;
    }
  }

  const finished = run();
  return {
    finished,
    where: () =>
      current
        ? `replay ${day} ${pad(current.index)}:00–${pad(current.index + 1)}:00 (hour ${hoursDone}/${hours.length} done, ×${speed})`
        : `replay ${day} starting (×${speed})`,
    extra: () => '',
    async stop() {
      cancel.abort();
      await finished.catch(() => {});
      await pool.drain();
    },
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A replay day must be a past or current local day. */
export function checkReplayDay(day: string, timeZone: string, now: number): string | undefined {
  const today = localDate(now, timeZone);
  return day > today ? `--replay ${day} is in the future (today is ${today} in ${timeZone})` : undefined;
}
