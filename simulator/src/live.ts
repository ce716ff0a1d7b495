// Live mode: every checkpoint and line reports the real time slice since its last report, every
// reportIntervalMinutes / speed real minutes. The figures are sized to the slice's real length (so
// the server's capacity rule holds and "today" stays a plausible day), while the daily rhythm runs
// on a simulated clock `speed` times faster than the real one: at ×60 a whole day of expressway
// peaks, dawn market trucks and evening compound returns passes in 24 minutes.
import { localClock, localHourOf } from '@fangkong/zone';
import { type CheckpointInfo, type LineInfo, loadCheckpoints, loadLines } from './reference-data.ts';
import type { ReportOutcome } from './reporter.ts';
import { drawCheckpointCounts, drawIncident, drawOutput, type IncidentStep, incidentProbability, type LineStatus, pathToProducing, reportsOutput } from './rhythm.ts';
import { JobPool, type ModeRun, type RunContext } from './run-context.ts';

export interface LiveOptions {
  /** How much faster than real time the daily rhythm and the reporting cadence run. */
  speed: number;
  /** Let lines go idle or halt now and then (and come back). @default true */
  lineIncidents?: boolean;
  /** The shortest slice ever reported, in real milliseconds. @default 1000 */
  minPeriodMs?: number;
  /** Re-read checkpoints and lines this often, to follow openings, closings and status changes. @default 60000 */
  refreshMs?: number;
  /**
   * Now and then, conditions the command room's alerts are for: a fever case at the 迎宾路 exit about
   * every `feverEveryMs` real time, and once per run a compound gate that falls silent for longer
   * than twice its reporting interval (server time), then reports again. @default off
   */
  alertConditions?: AlertConditions;
}

export interface AlertConditions {
  /** About how often the 迎宾路 exit reports a fever case, real time. @default 180000 */
  feverEveryMs?: number;
  /** When a compound gate falls silent, after the start (real time). @default 300000 */
  silentGateAfterMs?: number;
  /**
   * How long the gate stays silent, real time. A gate that has not reported on the server for longer
   * than the silence needs (a fresh start) is made to look silent at once: its first report ends
   * that long ago, so the alert comes within a sweep instead of two reporting intervals later; then it
   * reports the whole gap at once. @default 600000
   */
  silentForMs?: number;
}

/** The site of the simulated fever cases, and the kind of site that falls silent. */
const FEVER_SITE = 'yingbin-road-exit';
const SILENT_KIND = 'COMPOUND_GATE';

/** Lines have no reporting interval in the schema; an hour, like the checkpoints. */
const LINE_INTERVAL_MINUTES = 60;
const HOUR_MS = 3_600_000;
/** The server refuses periods over 24 h; after a long outage the gap is skipped, not reported. */
const MAX_PERIOD_MS = 24 * HOUR_MS - 60_000;
/** However fast the simulated clock runs, a line's status history gets at most one incident a minute. */
const MIN_REAL_GAP_BETWEEN_INCIDENTS_MS = 60_000;

interface SiteBase {
  id: string;
  slug: string;
  /** Real milliseconds between reports. */
  intervalMs: number;
  /** End of the last slice reported (server time). */
  lastEnd: number;
  nextDueAt: number;
  busy: boolean;
  /** Closed, as the server last said. */
  closed: boolean;
  /** Gone or outside this token's scope: never again this run. */
  excluded: boolean;
  seq: number;
}

interface CheckpointSite extends SiteBase {
  type: 'checkpoint';
  kind: string;
  /** Its reporting interval on the server's clock. */
  serverIntervalMs: number;
  /** Where its reports on the server ended when the run began (server time); -Infinity if none. */
  reportedUntil: number;
}

interface LineSite extends SiteBase {
  type: 'line';
  status: string;
  ratedDailyCapacity: number;
  incident?: { steps: IncidentStep[]; index: number; at: number };
  /** When its last incident began (server time); -Infinity if never. */
  lastIncidentAt: number;
  /** The simulator moved it away from PRODUCING and has not brought it back yet. */
  moved: boolean;
}

type Site = CheckpointSite | LineSite;

export function startLive(ctx: RunContext, checkpoints: CheckpointInfo[], lines: LineInfo[], options: LiveOptions): ModeRun {
  const { speed } = options;
  const minPeriodMs = options.minPeriodMs ?? 1000;
  const lineIncidents = options.lineIncidents ?? true;
  const startedAt = ctx.now();
  const simulated = (t: number) => new Date(startedAt + (t - startedAt) * speed);
  const localHourAt = (t: number) => localHourOf(simulated(t), ctx.timeZone);
  const sites = new Map<string, Site>();
  const pool = new JobPool(ctx.concurrency);
  let stopping = false;
  const outOfScope: string[] = [];
  let forbiddenNote: NodeJS.Timeout | undefined;
  const conditions = options.alertConditions;
  let nextFeverAt = conditions ? ctx.now() + (conditions.feverEveryMs ?? 180_000) / 3 : Infinity;
  /** The gate kept silent, and until when (server time). */
  let silence: { id: string; until: number } | null = null;
  const silenceStartsAt = conditions ? ctx.now() + (conditions.silentGateAfterMs ?? 300_000) : Infinity;

  function firstSlice(intervalMs: number, lastReportAt: Date | null) {
    const now = ctx.now();
    // Continue after the latest report where there is a recent one, so no time is counted twice.
    const last = lastReportAt && lastReportAt.getTime() <= now ? lastReportAt.getTime() : -Infinity;
    // Stagger the first reports over the first second or two instead of firing all at once.
    return { lastEnd: Math.max(now - intervalMs, last), nextDueAt: now + ctx.rand() * Math.min(intervalMs, 2000) };
  }

  function addCheckpoint(info: CheckpointInfo): void {
    const intervalMs = Math.min(MAX_PERIOD_MS, Math.max(minPeriodMs, (info.reportIntervalMinutes * 60_000) / speed));
    sites.set(info.id, {
      type: 'checkpoint',
      id: info.id,
      slug: info.slug,
      kind: info.kind,
      serverIntervalMs: info.reportIntervalMinutes * 60_000,
      reportedUntil: info.lastReportAt?.getTime() ?? Number.NEGATIVE_INFINITY,
      intervalMs,
      ...firstSlice(intervalMs, info.lastReportAt),
      busy: false,
      closed: info.status === 'CLOSED',
      excluded: false,
      seq: 0,
    });
  }

  function addLine(info: LineInfo): void {
    const intervalMs = Math.min(MAX_PERIOD_MS, Math.max(minPeriodMs, (LINE_INTERVAL_MINUTES * 60_000) / speed));
    sites.set(info.id, {
      type: 'line',
      id: info.id,
      slug: info.slug,
      status: info.status,
      ratedDailyCapacity: info.ratedDailyCapacity,
      intervalMs,
      ...firstSlice(intervalMs, info.lastReportAt),
      busy: false,
      closed: false,
      excluded: false,
      seq: 0,
      moved: false,
      lastIncidentAt: -Infinity,
    });
  }

  checkpoints.forEach(addCheckpoint);
  lines.forEach(addLine);

  const key = (site: Site) => `sim:${ctx.runId}:${site.slug}:${++site.seq}`;
  const dueAt = (site: Site) => (site.type === 'line' && site.incident ? Math.min(site.nextDueAt, site.incident.at) : site.nextDueAt);

  /** The slice since the last report, or undefined (and a later due time) when it is still too short. */
  function nextSlice(site: Site, until?: number): { start: number; end: number; hours: number } | undefined {
    const end = until ?? ctx.now();
    const start = Math.max(site.lastEnd, end - MAX_PERIOD_MS);
    if (end - start < minPeriodMs) {
      site.nextDueAt = start + minPeriodMs;
      return undefined;
    }
    site.lastEnd = end;
    site.nextDueAt = end + site.intervalMs;
    return { start, end, hours: (end - start) / HOUR_MS };
  }

  function giveUpOn(site: Site, outcome: ReportOutcome): void {
    // The checkpoint or line is gone or closed: reporting on would only repeat the refusal.
    if (outcome.kind !== 'rejected') return;
    const gone = outcome.reason.startsWith('NOT_FOUND') || (site.type === 'checkpoint' && outcome.reason.includes('checkpointId'));
    const forbidden = outcome.reason === 'FORBIDDEN';
    if (!gone && !forbidden) return;
    site.excluded = true;
    if (gone) ctx.note(`${site.slug}: no longer reporting (${outcome.result.message ?? outcome.reason})`);
    else {
      // An operator token covers some sites only; name those outside its scope once, together.
      outOfScope.push(site.slug);
      forbiddenNote ??= setTimeout(() => {
        ctx.note(`not allowed for this token, no longer reporting: ${outOfScope.splice(0).join(', ')}`);
        forbiddenNote = undefined;
      }, 2000);
    }
  }

  /**
   * A slice the server refused because a report already counts (part of) it: time up to that
   * report's end is reported, so the next slice starts there. This happens when the simulator could
   * not learn where a site's reports end (a token that may not read them) or someone else reported.
   */
  function continueAfterCounted(site: Site, outcome: ReportOutcome, slice: { start: number }): void {
    if (outcome.kind !== 'rejected' || !outcome.result.existingPeriodEnd) return;
    const countedUntil = Date.parse(outcome.result.existingPeriodEnd);
    if (countedUntil > slice.start) {
      site.lastEnd = Math.max(slice.start, Math.min(countedUntil, ctx.now()));
      site.nextDueAt = Math.min(site.nextDueAt, ctx.now() + minPeriodMs);
    }
  }

  async function reportCheckpoint(site: CheckpointSite, until?: number): Promise<void> {
    const slice = nextSlice(site, until);
    if (!slice) return;
    const counts = drawCheckpointCounts(site.kind, localHourAt((slice.start + slice.end) / 2), slice.hours, ctx.rand);
    if (site.slug === FEVER_SITE && ctx.now() >= nextFeverAt) {
      // A drill-sized incident: one traveller with a fever among those screened.
      nextFeverAt = ctx.now() + (conditions?.feverEveryMs ?? 180_000) * (0.5 + ctx.rand());
      counts.peopleScreened = Math.max(counts.peopleScreened, 1);
      counts.feverCases = Math.max(counts.feverCases, 1);
      counts.referred = Math.max(counts.referred, 1);
      ctx.note(`${site.slug}: a fever case (alert condition)`);
    }
    const outcome = await ctx.reporter.report('checkpoint', {
      checkpointId: site.id,
      periodStart: new Date(slice.start).toISOString(),
      periodEnd: new Date(slice.end).toISOString(),
      ...counts,
      source: 'SIMULATED',
      idempotencyKey: key(site),
    });
    continueAfterCounted(site, outcome, slice);
    giveUpOn(site, outcome);
  }

  /** Reports the line's output since its last report; returns the hours covered (0 if none). */
  async function reportLine(site: LineSite): Promise<number> {
    const slice = nextSlice(site);
    if (!slice) return 0;
    const { produced, passedQc } = drawOutput(site.ratedDailyCapacity, site.status as LineStatus, localHourAt((slice.start + slice.end) / 2), slice.hours, ctx.rand);
    const outcome = await ctx.reporter.report('output', {
      lineId: site.id,
      periodStart: new Date(slice.start).toISOString(),
      periodEnd: new Date(slice.end).toISOString(),
      produced,
      passedQc,
      source: 'SIMULATED',
      idempotencyKey: key(site),
    });
    if (outcome.kind === 'rejected' && outcome.result.current) {
      // Someone else changed the line's status: follow it and leave it to them.
      site.status = outcome.result.current;
      site.incident = undefined;
    }
    continueAfterCounted(site, outcome, slice);
    giveUpOn(site, outcome);
    return slice.hours;
  }

  async function advanceIncident(site: LineSite): Promise<void> {
    const incident = site.incident!;
    const step = incident.steps[incident.index]!;
    // Output up to the change belongs to the status the line had.
    if (reportsOutput(site.status)) await reportLine(site);
    if (stopping) return;
    const result = await ctx.reporter.setLineStatus(site.id, step.status, step.note);
    if (!result.ok) {
      if (result.refused) {
        // Moved by someone else, or this token may not change statuses: leave the line alone.
        if (result.current) site.status = result.current;
        site.incident = undefined;
      } else {
        incident.at = ctx.now() + 5_000;
      }
      return;
    }
    // Time spent halted is not output time: start the next slice at the restart.
    if (!reportsOutput(site.status) && reportsOutput(step.status)) site.lastEnd = ctx.now();
    site.status = step.status;
    site.moved = step.status !== 'PRODUCING';
    incident.index++;
    if (incident.index >= incident.steps.length) site.incident = undefined;
    else incident.at = ctx.now() + (step.hours * HOUR_MS) / speed;
  }

  async function runLine(site: LineSite): Promise<void> {
    if (site.incident && site.incident.at <= ctx.now()) return advanceIncident(site);
    if (!reportsOutput(site.status)) {
      // Installing or halted by someone else: nothing to report; look again next interval.
      site.lastEnd = site.nextDueAt = ctx.now();
      site.nextDueAt += site.intervalMs;
      return;
    }
    const hours = await reportLine(site);
    const rested = ctx.now() - site.lastIncidentAt >= MIN_REAL_GAP_BETWEEN_INCIDENTS_MS;
    if (lineIncidents && !stopping && !site.incident && rested && site.status === 'PRODUCING' && ctx.rand() < incidentProbability(hours * speed)) {
      site.lastIncidentAt = ctx.now();
      site.incident = { steps: drawIncident(ctx.rand), index: 0, at: site.lastIncidentAt };
    }
  }

  function tick(): void {
    if (stopping) return;
    const now = ctx.now();
    if (!silence && now >= silenceStartsAt) {
      const gate = [...sites.values()].find((s): s is CheckpointSite => s.type === 'checkpoint' && s.kind === SILENT_KIND && !s.closed && !s.excluded);
      if (gate) {
        // Silent for longer than twice the interval on the server's clock, whatever the speed.
        const quietFor = 2 * gate.serverIntervalMs + 5 * 60_000;
        const quietSince = now - quietFor;
        if (gate.seq === 0 && !gate.busy && gate.reportedUntil <= quietSince - 60_000) {
          // Nothing on the server since before then: its last report ended then, and it has been quiet since.
          silence = { id: gate.id, until: now + (conditions?.silentForMs ?? 600_000) };
          gate.lastEnd = Math.max(gate.reportedUntil, quietSince - gate.serverIntervalMs);
          gate.busy = true;
          void pool.start(async () => {
            try {
              await reportCheckpoint(gate, quietSince);
            } finally {
              gate.busy = false;
            }
          });
          ctx.note(`${gate.slug}: silent since ${localClock(new Date(quietSince), ctx.timeZone)}, until ${localClock(new Date(silence.until), ctx.timeZone)} (alert condition)`);
        } else {
          silence = { id: gate.id, until: now + quietFor };
          ctx.note(`${gate.slug}: falls silent until ${localClock(new Date(silence.until), ctx.timeZone)} (alert condition)`);
        }
      } else silence = { id: '', until: 0 };
    }
    const silenced = silence && now < silence.until ? silence.id : null;
    const due = [...sites.values()]
      .filter((s) => !s.busy && !s.closed && !s.excluded && s.id !== silenced && dueAt(s) <= now)
      .sort((a, b) => dueAt(a) - dueAt(b));
    for (const site of due) {
      if (pool.full) break;
      site.busy = true;
      void pool.start(async () => {
        try {
          await (site.type === 'checkpoint' ? reportCheckpoint(site) : runLine(site));
        } finally {
          site.busy = false;
        }
      });
    }
  }

  async function refresh(): Promise<void> {
    try {
      const [freshCheckpoints, freshLines] = await Promise.all([loadCheckpoints(ctx.client), loadLines(ctx.client)]);
      if (stopping) return;
      for (const info of freshCheckpoints) {
        const site = sites.get(info.id);
        if (!site) addCheckpoint(info);
        else site.closed = info.status === 'CLOSED';
      }
      for (const info of freshLines) {
        const site = sites.get(info.id);
        if (!site) addLine(info);
        else if (site.type === 'line' && !site.busy && !site.incident) site.status = info.status;
      }
    } catch {
      // The next refresh tries again; reports carry on meanwhile.
    }
  }

  const ticker = setInterval(tick, 100);
  const refresher = setInterval(() => void refresh(), options.refreshMs ?? 60_000);
  tick();

  return {
    finished: new Promise<void>(() => {}),
    where: () => `simulated ${localClock(simulated(ctx.now()), ctx.timeZone)} (×${speed})`,
    extra() {
      const away = [...sites.values()].filter((s): s is LineSite => s.type === 'line' && !s.excluded && s.status !== 'PRODUCING');
      return away.length ? `lines ${away.map((s) => `${s.slug} ${s.status.toLowerCase()}`).join(', ')}` : '';
    },
    async stop() {
      stopping = true;
      clearInterval(ticker);
      clearInterval(refresher);
      await pool.drain();
      clearTimeout(forbiddenNote);
      if (outOfScope.length) ctx.note(`not allowed for this token, no longer reporting: ${outOfScope.join(', ')}`);
      // Leave no line the simulator moved away from PRODUCING behind.
      let returned = 0;
      for (const site of sites.values()) {
        if (site.type !== 'line' || !site.moved || site.status === 'PRODUCING') continue;
        for (const status of pathToProducing(site.status)) {
          const result = await ctx.reporter.setLineStatus(site.id, status, 'Simulated: simulator stopped, back in production', { unlimited: true });
          if (!result.ok) break;
          site.status = status;
        }
        if (site.status === 'PRODUCING') returned++;
        else ctx.note(`${site.slug} left ${site.status.toLowerCase()}: could not return it to producing`);
      }
      if (returned) ctx.note(`returned ${returned} line${returned === 1 ? '' : 's'} to producing`);
    },
  };
}
