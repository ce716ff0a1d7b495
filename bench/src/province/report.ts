import type { ProvinceResult, ProvinceRound } from './bench.ts';
import { median } from '../reporting/load.ts';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const perReport = (round: ProvinceRound, value: number | null) => (value === null || !round.accepted ? null : value / round.accepted);

/** The results table (bench/results/province.md). */
export function provinceReport(result: ProvinceResult, { quick }: { quick: boolean }): string {
  const { options, rounds, lost } = result;
  const { shape } = options;
  const med = (pick: (r: ProvinceRound) => number | null) => {
    const values = rounds.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
    return values.length ? median(values) : Number.NaN;
  };
  const each = (pick: (r: ProvinceRound) => number | null, digits = 0) =>
    rounds.map((r) => { const value = pick(r); return value !== null && Number.isFinite(value) ? value.toFixed(digits) : 'n/a'; }).join(', ');
  const p99 = med((r) => Math.max(r.eventsP99, r.summaryP99));
  const errors = rounds.reduce((sum, r) => sum + r.errors, 0);
  const goalMet = p99 <= 1000 && errors === 0 && result.problems.length === 0;
  const lines = [
    `# A province on one box: ${options.rate} reports/s with ${options.subscribers.toLocaleString('en')} WebSocket subscribers, two instances${quick ? ' (--quick smoke, not a measurement)' : ''}`,
    '',
    `Written by \`pnpm bench:province\` on ${result.startedAt.toISOString()} (${result.seconds.toFixed(0)} s). Machine: ${result.machine}. Load average (1 min) ${result.loadAverage.start.toFixed(1)} at the start, ${result.loadAverage.end.toFixed(1)} at the end: the two server instances, PostgreSQL, Redis and this bench (the report sender and every subscriber's socket) share these cores.`,
    '',
    `**Province (simulated, in a database of its own):** ${shape.cities} cities × ${shape.districtsPerCity} districts × ${shape.communitiesPerDistrict} communities (${result.province.areas.toLocaleString('en')} areas under one root marked simulated), ${result.province.checkpoints.toLocaleString('en')} checkpoints, ${result.province.lines.toLocaleString('en')} production lines, ${shape.days === 1 ? 'a day' : `${shape.days} days`} of hourly reports behind them (${result.province.historyRows.toLocaleString('en')} rows, ${result.province.loadSeconds === null ? 'built by an earlier run, reused' : `built in ${result.province.loadSeconds.toFixed(0)} s`}). The zone's own reference data is in the same database, untouched. Area levels are the model's, by depth: province DISTRICT, city TOWNSHIP, district SUBDISTRICT, community COMMUNITY.`,
    '',
    `**Servers:** two \`fangkong serve\` instances on one PostgreSQL database, fanning out through Redis; default settings (coalescing 250 ms, pool 10 each).`,
    `**Writes:** \`reportCheckpointCounts\` on a fixed schedule (open loop), ${options.rate}/s alternating between the instances, each report a fresh checkpoint and key over keep-alive HTTP; a retryable 503 is retried after its Retry-After with the same key, as the simulator does (the wait counts in the latency). Report latency runs from when the schedule said to send.`,
    `**Subscribers** (attached to both instances, half each, in ${result.connectSeconds.toFixed(0)} s, before the first report): ${result.mix.summaries.toLocaleString('en')} area summaries (\`zoneSummary(within:)\` of the province and each city, \`minIntervalMs: ${options.summaryIntervalMs}\`: a command-room wall), ${result.mix.lists.toLocaleString('en')} screens of 20 checkpoints (\`checkpointCounts\` with the site names), ${result.mix.events} \`events\` stream${result.mix.events === 1 ? '' : 's'} of every report (partners).`,
    '',
    `${rounds.length} rounds of ${options.seconds} s after a warm-up; figures are medians of the rounds, per-round values in the last column.`,
    '',
    '## Goal (issue 21): province, 2 instances, 2 cores: p99 ≤ 1 s, no error, nothing lost',
    '',
    `| figure | this run |`,
    `|---|---|`,
    `| p99 report → subscriber (the worse of events and area summaries, median of rounds) | **${ms(p99)} ms** |`,
    `| errors (reports not taken after retries) | **${errors}** |`,
    `| nothing lost | **${lost.stored === lost.accepted && lost.events === lost.accepted && lost.deliveries === lost.expectedDeliveries && !lost.duplicates ? 'yes' : 'no'}**: ${lost.accepted.toLocaleString('en')} reports accepted, ${lost.stored.toLocaleString('en')} stored, ${lost.events.toLocaleString('en')} outbox events; ${lost.deliveries.toLocaleString('en')} of ${lost.expectedDeliveries.toLocaleString('en')} report events reached the \`events\` subscribers, ${lost.duplicates} duplicates |`,
    `| goal | **${goalMet ? 'met' : 'not met'}** |`,
    '',
    '## Per round (medians)',
    '',
    '| figure | median | per round |',
    '|---|---:|---|',
    `| reports/s taken (scheduled ${options.rate}) | ${med((r) => r.takenPerSecond).toFixed(0)} | ${each((r) => r.takenPerSecond)} |`,
    `| report answered, p50 ms | ${ms(med((r) => r.reportP50))} | ${each((r) => r.reportP50)} |`,
    `| report answered, p99 ms | ${ms(med((r) => r.reportP99))} | ${each((r) => r.reportP99)} |`,
    `| report → \`events\` subscriber, p50 ms | ${ms(med((r) => r.eventsP50))} | ${each((r) => r.eventsP50)} |`,
    `| report → \`events\` subscriber, p99 ms | ${ms(med((r) => r.eventsP99))} | ${each((r) => r.eventsP99)} |`,
    `| report → area summary counting it, p50 ms | ${ms(med((r) => r.summaryP50))} | ${each((r) => r.summaryP50)} |`,
    `| report → area summary counting it, p99 ms | ${ms(med((r) => r.summaryP99))} | ${each((r) => r.summaryP99)} |`,
    `| delivered messages/s, all subscribers | ${med((r) => r.deliveredPerSecond).toFixed(0)} | ${each((r) => r.deliveredPerSecond)} |`,
    `| last event delivered after the last report was due, ms | ${ms(med((r) => r.drainMs))} | ${each((r) => r.drainMs)} |`,
    `| errors / retried 503s | ${rounds.reduce((s, r) => s + r.errors, 0)} / ${rounds.reduce((s, r) => s + r.retried, 0)} | ${rounds.map((r) => `${r.errors}/${r.retried}`).join(', ')} |`,
    `| machine busy | ${(med((r) => r.cpu.machineBusy) * 100).toFixed(0)} % | ${each((r) => r.cpu.machineBusy * 100)} |`,
    `| CPU ms per report: instance A | ${med((r) => perReport(r, r.cpu.serversMs[0] ?? null)).toFixed(2)} | ${each((r) => perReport(r, r.cpu.serversMs[0] ?? null), 2)} |`,
    `| CPU ms per report: instance B | ${med((r) => perReport(r, r.cpu.serversMs[1] ?? null)).toFixed(2)} | ${each((r) => perReport(r, r.cpu.serversMs[1] ?? null), 2)} |`,
    `| CPU ms per report: PostgreSQL backends | ${med((r) => perReport(r, r.cpu.postgresMs)).toFixed(2)} | ${each((r) => perReport(r, r.cpu.postgresMs), 2)} |`,
    `| CPU ms per report: Redis | ${med((r) => perReport(r, r.redisMs)).toFixed(2)} | ${each((r) => perReport(r, r.redisMs), 2)} |`,
    `| CPU ms per report: this bench (sender and subscribers) | ${med((r) => perReport(r, r.cpu.benchMs)).toFixed(2)} | ${each((r) => perReport(r, r.cpu.benchMs), 2)} |`,
    `| RSS MiB: instance A / B | ${(med((r) => r.rssKiB.a) / 1024).toFixed(0)} / ${(med((r) => r.rssKiB.b) / 1024).toFixed(0)} | ${rounds.map((r) => `${(r.rssKiB.a / 1024).toFixed(0)}/${(r.rssKiB.b / 1024).toFixed(0)}`).join(', ')} |`,
    `| RSS MiB: Redis / this bench | ${(med((r) => r.rssKiB.redis) / 1024).toFixed(0)} / ${(med((r) => r.rssKiB.bench) / 1024).toFixed(0)} | |`,
    `| load average (1 min) at the round's end | ${med((r) => r.loadAverage).toFixed(1)} | ${each((r) => r.loadAverage, 1)} |`,
    '',
    'Report → subscriber runs from when the report was due to the arrival of the bytes at the subscriber. `events` counts every delivery of every report to every `events` subscriber. Area summaries: at up to 20 subscribers per area, the k-th report of a city (in the order they were due) against the first update whose `reports` total reaches the round\'s starting total + k (commits may finish slightly out of order, so one figure may be off by the gap to its neighbour); the wall asks for at most one update a second, so half a second is its floor on average. Delivered messages/s runs from the round\'s first report until its last event reached every `events` subscriber. CPU from /proc (user + system), PostgreSQL as the sum of the database\'s backends.',
    '',
    `Problems: ${result.problems.length ? result.problems.join('; ') : 'none.'}`,
    '',
  ];
  return lines.join('\n');
}
