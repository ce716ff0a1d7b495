// bench/results/live.md from a LiveResult: medians of the per-run figures, per-run values beside.
import type { LiveResult } from './live.ts';
import { median } from './stats.ts';

const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : '—');
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const list = (values: number[], format: (v: number) => string) => values.map(format).join(', ');

export function liveReport(result: LiveResult): string {
  const { settings: s, machine: m } = result;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);

  push(
    '# Live updates: latency, fan-out throughput, idle memory, the Redis hop',
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres ?? 'unknown'}; Redis ${result.redisVersion}; ws ${result.wsVersion}`,
    `- Date: ${result.startedAt.toISOString()} (took ${Math.round(result.seconds)} s); 1-minute load average when each phase began: ${result.loadAverages.map((l) => `${l.phase} ${l.load1.toFixed(1)}`).join(', ')} (other work on the machine shows here)`,
    `- Runs: ${s.runs} of every measurement; tables give the **median of the per-run figures**, per-run values in the last column.`,
    '- Server: `server/src/cli.ts serve` (what `pnpm serve` runs) on a PostgreSQL database of its own, created empty (the server migrates it and loads reference data) and dropped afterwards. ' +
      '`FANGKONG_MIN_INTERVAL_MS=0` for latency, throughput and the hop (the `events` stream is never coalesced; the setting matters for aggregate streams); the default 250 for idle memory. ' +
      '`LOG_LEVEL=info`: the server logs only startup and warnings at info, and the bench keeps every warning.',
    '- Clients: every subscriber lives in the bench process. **WS** = graphql-transport-ws over `ws`, a thin client written for the bench (connection_init → connection_ack → subscribe; results parsed on arrival). ' +
      '**SSE** = GraphQL over SSE in **distinct-connection mode** (`POST /graphql`, `Accept: text/event-stream`, one HTTP/1.1 socket per subscriber through a `node:http` agent without a socket limit), not graphql-sse single-connection mode.',
    '- Writes: `reportCheckpointCounts` over HTTP keep-alive from the bench process; each commits one `checkpointReport:reported` outbox event.',
    '',
  );

  push(
    '## 1. Mutation → subscriber latency',
    '',
    `Subscription: \`events(after: <cursor>, types: [CHECKPOINT_REPORT_REPORTED]) { cursor seq type subjectId }\`, started at a cursor learnt just before, so no subscriber can miss an event. ` +
      `Per configuration and run: ${s.warmupReports} warm-up reports, then ${s.latencyReports} timed reports sent one at a time, each only after the previous one reached every subscriber. ` +
      'Latency = arrival of the bytes at a subscriber (timestamp taken before parsing) − the instant before the mutation request was written; every delivery of every report is recorded, and each subscriber must receive exactly one event per report, carrying that report\'s `subjectId`.',
    '',
    '| Transport | Subscribers | p50 ms | p99 ms | max ms | Deliveries per run | Mutation answered, p50 ms | Per-run p50 / p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const cell of [...result.latency].sort((a, b) => a.size - b.size || a.transport.localeCompare(b.transport))) {
    const runs = cell.runs;
    if (!runs.length) {
      push(`| ${cell.transport.toUpperCase()} | ${whole(cell.size)} | failed | | | | | |`);
      continue;
    }
    push(
      `| ${cell.transport.toUpperCase()} | ${whole(cell.size)} | ${ms(median(runs.map((r) => r.p50)))} | ${ms(median(runs.map((r) => r.p99)))} | ${ms(median(runs.map((r) => r.max)))} | ` +
        `${whole(median(runs.map((r) => r.count)))} | ${ms(median(runs.map((r) => r.mutationP50)))} | ${runs.map((r) => `${ms(r.p50)} / ${ms(r.p99)}`).join('; ')} |`,
    );
  }
  push(
    '',
    'With many subscribers, p50 and p99 are mostly the position in the fan-out: one event is executed and written to each subscriber in turn, and the bench process reads 1,000 sockets in turn, so the last subscriber waits for the 999 before it. ' +
      'Deliveries can arrive before the mutation\'s own HTTP response (subscribers are told right after the commit).',
    '',
  );

  push('## 2. Delivered messages/s at 1,000 WebSocket subscribers, ours ÷ a raw `ws` broadcast', '');
  if (result.throughput.length) {
    const runs = result.throughput;
    const sample = runs[0]!.ours.sample;
    push(
      `Ours: ${whole(s.burstSubscribers)} WS subscribers of the \`events\` stream; a burst of ${whole(s.burstReports)} reports (${s.burstConcurrency} in flight) → ${whole(s.burstReports * s.burstSubscribers)} messages; ` +
        'timed from the first request to the last message at the last subscriber. ' +
        `Raw: a bare \`ws\` server (\`bench/src/live-raw-broadcast.ts\`, its own process) sends the same number of copies of a real \`next\` message captured from ours (${Buffer.byteLength(sample)} bytes: \`${sample.length > 160 ? `${sample.slice(0, 160)}…` : sample}\`) ` +
        'to the same number of clients, one message to every client per event-loop turn, timed from the command to the last message. Both are received by the same client code in the bench process. The order alternates from run to run.',
      '',
      '| | Messages | Seconds | Messages/s | Per run, messages/s |',
      '|---|---:|---:|---:|---|',
      `| Ours (commit + outbox read + GraphQL execution per subscriber + ws) | ${whole(runs[0]!.ours.messages)} | ${median(runs.map((r) => r.ours.seconds)).toFixed(2)} | ${whole(median(runs.map((r) => r.ours.perSecond)))} | ${list(runs.map((r) => r.ours.perSecond), whole)} |`,
      `| Raw \`ws\` broadcast of the same bytes | ${whole(runs[0]!.raw.messages)} | ${median(runs.map((r) => r.raw.seconds)).toFixed(2)} | ${whole(median(runs.map((r) => r.raw.perSecond)))} | ${list(runs.map((r) => r.raw.perSecond), whole)} |`,
      `| **Ours ÷ raw** | | | **${median(runs.map((r) => r.ratio)).toFixed(3)}** | ${list(runs.map((r) => r.ratio), (v) => v.toFixed(3))} |`,
      '',
      `The burst's mutations were all answered after ${list(runs.map((r) => r.ours.committedSeconds), (v) => `${v.toFixed(2)} s`)} (per run): ` +
        'delivery, not the writes, sets the pace when the answers come well before the last message. ' +
        'What the ratio compares: the raw server does nothing per message but `ws.send` of a ready string; ours commits each report in PostgreSQL (transaction, audit row, outbox row under an advisory lock), reads the outbox, ' +
        'and for every subscriber runs the subscription\'s GraphQL execution and serialisation before the same `ws.send`. Both share the two cores with the bench process\'s 1,000 clients (and ours with PostgreSQL).',
      '',
    );
  } else push('Failed; see Failures.', '');

  push(
    '## 3. RSS per idle subscriber',
    '',
    `A fresh server per measurement; warm-up: 20 subscriptions opened, served and closed; RSS = median of 5 samples of VmRSS (/proc/<pid>/status) after 1.5 s of quiet. ` +
      `Then ${whole(s.idleSubscribers)} subscribers, one \`checkpointCounts(checkpointIds: [fengshou-road]) { today { peopleScreened } asOfSeq }\` subscription each (WS: one socket and one subscription per subscriber; SSE: one HTTP stream each), ` +
      'each having received its snapshot; then all closed and RSS read again after 3 s.',
    '',
    '| Transport | Subscribers | RSS before, KiB | With subscribers, KiB | After they left, KiB | **KiB per idle subscriber** | Per run, KiB | Connect + snapshot, s |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
  );
  for (const transport of s.transports) {
    const runs = result.memory.filter((r) => r.transport === transport);
    if (!runs.length) {
      push(`| ${transport.toUpperCase()} | ${whole(s.idleSubscribers)} | failed | | | | | |`);
      continue;
    }
    push(
      `| ${transport.toUpperCase()} | ${whole(s.idleSubscribers)} | ${whole(median(runs.map((r) => r.before)))} | ${whole(median(runs.map((r) => r.with)))} | ${whole(median(runs.map((r) => r.after)))} | ` +
        `**${median(runs.map((r) => r.perSubscriberKiB)).toFixed(1)}** | ${list(runs.map((r) => r.perSubscriberKiB), (v) => v.toFixed(1))} | ${median(runs.map((r) => r.connectSeconds)).toFixed(1)} |`,
    );
  }
  push('', 'RSS counts the whole process (heap, sockets\' kernel-side buffers are not in it); V8 keeps freed heap, so "after they left" shows what is not given back, not a leak by itself.', '');

  push(
    '## 4. The hop between two instances',
    '',
    `Two instances A and B on the same database; one WS subscriber on B; reports alternate A, B, A, B… (${s.hopReports} to each with Redis, ${s.pollReports} to each without), sent one at a time. ` +
      'A report to B reaches the subscriber without leaving B; a report to A reaches B through Redis (A publishes the sequence number after the commit, B reads the outbox), or, without `REDIS_URL`, through B\'s 1 s outbox poll.',
    '',
    '| Bus | Reports to A (hop) p50 / p99 ms | Reports to B (no hop) p50 / p99 ms | **Added by the hop, p50 / p99 ms** | Per run, added p50 ms |',
    '|---|---:|---:|---:|---|',
  );
  for (const cell of result.hops) {
    const runs = cell.runs;
    if (!runs.length) {
      push(`| ${cell.bus === 'redis' ? 'Redis' : 'no Redis (1 s poll)'} | failed | | | |`);
      continue;
    }
    const addedP50 = runs.map((r) => r.viaA.p50 - r.viaB.p50);
    const addedP99 = runs.map((r) => r.viaA.p99 - r.viaB.p99);
    push(
      `| ${cell.bus === 'redis' ? `Redis ${result.redisVersion}` : 'no Redis (1 s poll)'} | ${ms(median(runs.map((r) => r.viaA.p50)))} / ${ms(median(runs.map((r) => r.viaA.p99)))} | ` +
        `${ms(median(runs.map((r) => r.viaB.p50)))} / ${ms(median(runs.map((r) => r.viaB.p99)))} | **${ms(median(addedP50))} / ${ms(median(addedP99))}** | ${list(addedP50, ms)} |`,
    );
  }
  push('', 'With few reports per run p99 is close to the maximum; the p50 difference is the figure to read.', '');

  push('## Server health during the run', '');
  push(`- RSS of the latency/throughput server: ${result.latencyServerRss.map(([when, kib]) => `${when} ${whole(kib / 1024)} MiB`).join('; ')}.`);
  const warnings = result.serverWarnings.reduce((n, w) => n + w.count, 0) + result.memory.reduce((n, r) => n + r.warnings.length, 0);
  push(`- Warning and error lines logged by the servers: ${warnings}.`);
  for (const w of result.serverWarnings) push(`  - ${w.server}: ${w.count}; first: \`${w.lines[0]?.replace(/`/g, "'") ?? ''}\``);
  for (const r of result.memory.filter((r) => r.warnings.length)) push(`  - idle ${r.transport}: \`${r.warnings[0]!.replace(/`/g, "'")}\``);
  push(`- Problems seen by subscribers (errors in results, unexpected closes such as 4413 "consumer too slow"): ${result.problems.length ? '' : 'none.'}`);
  for (const p of result.problems.slice(0, 20)) push(`  - ${p.replace(/`/g, "'")}`);
  if (result.failures.length) {
    push('', '## Failures', '');
    for (const f of result.failures) push(`- ${f.split('\n')[0]!.replace(/`/g, "'")}`);
  }
  push('', '## Notes', '');
  push(
    '- Two cores are shared by the server(s), PostgreSQL, Redis and the bench process with its up to 1,000 clients: absolute figures move with the machine and with whatever else runs on it (see the load averages). The ratio in section 2 is measured back to back in one run.',
    '- The client side of every latency is in the bench process: with 1,000 subscribers it reads 1,000 sockets and parses 1,000 messages per report, which is part of what the high percentiles show, for both transports alike.',
    `- Reproduce: \`node --import tsx bench/src/live-cli.ts\` (about ${Math.max(1, Math.round(result.seconds / 60))} min; \`--quick\` for a smoke run). BENCH_POSTGRES_URL and BENCH_REDIS_URL name the services (defaults postgres://postgres@127.0.0.1:5432/postgres, redis://127.0.0.1:6379).`,
    '',
  );
  return lines.join('\n');
}
