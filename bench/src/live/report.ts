// bench/results/live.md from a LiveResult: medians of the per-run figures, per-run values beside.
import type { LiveResult } from './bench.ts';
import { median } from '../shared/stats.ts';

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
    '- Server: `server/src/cli.ts serve` (what `pnpm serve` runs) on a PostgreSQL database of its own, created empty (the token command migrates it and loads reference data) and dropped afterwards. ' +
      '`FANGKONG_MIN_INTERVAL_MS=0` for latency, throughput and the hop (the `events` stream is never coalesced; the setting matters for aggregate streams); the default 250 for idle memory. ' +
      '`LOG_LEVEL=info`: the server logs only startup and warnings at info, and the bench keeps every warning.',
    '- Clients: every subscriber lives in the bench process. **WS** = graphql-transport-ws over `ws`, a thin client written for the bench (connection_init → connection_ack → subscribe; results parsed on arrival). ' +
      '**SSE** = GraphQL over SSE in **distinct-connection mode** (`POST /graphql`, `Accept: text/event-stream`, one HTTP/1.1 socket per subscriber through a `node:http` agent without a socket limit), not graphql-sse single-connection mode.',
    '- Writes: `reportCheckpointCounts` over HTTP keep-alive from the bench process; each commits one `checkpointReport:reported` outbox event.',
    '- Access: every operation carries one ADMIN bearer token from `fangkong token create --role admin` on the bench\'s database. ' +
      '`FANGKONG_RATE_LIMIT=1000000000` on every server: the default budget of 600 operations a minute per token would refuse the bench\'s 1,000 subscriptions on one token; `FANGKONG_WS_MAX_PER_TOKEN=0` and `FANGKONG_WS_MAX_PER_ADDRESS=0` (no WebSocket caps) for its 1,000 sockets from one process.',
    ...(s.phases.length < 5 ? [`- Phases measured in this run: ${s.phases.join(', ')} (\`--only\`); the others' sections are empty.`] : []),
    ...(s.runs < 3 ? [`- **Smoke run (${s.runs} run${s.runs === 1 ? '' : 's'}, reduced counts): not for comparison.**`] : []),
    '',
  );

  push(
    '## 1. Mutation → subscriber latency',
    '',
    `Subscription: \`events(after: <cursor>, types: [CHECKPOINT_REPORT_REPORTED]) { cursor seq type subjectId }\`, started at a cursor learnt just before, so no subscriber can miss an event. ` +
      `Per configuration and run: ${s.warmupReports} warm-up reports, then ${s.latencyReports} timed reports (${s.latencyReportsLarge} with 1,000 subscribers) sent one at a time, each only after the previous one reached every subscriber. ` +
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
  const retainedSequential = result.latency.flatMap((c) => c.runs.flatMap((r) => (r.retainedPerDelivery === undefined ? [] : [r.retainedPerDelivery])));
  if (retainedSequential.length) {
    push(
      '',
      `Server heap after a forced GC, before and after the timed reports at 1,000 subscribers (still connected): **${median(retainedSequential).toFixed(0)} bytes retained per subscriber per event** ` +
        `(median; per configuration and run ${list(retainedSequential, (v) => v.toFixed(0))}).`,
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
        `Raw: a bare \`ws\` server (\`bench/src/live/raw-broadcast.ts\`, its own process) sends the same number of copies of a real \`next\` message captured from ours (${Buffer.byteLength(sample)} bytes: \`${sample.length > 160 ? `${sample.slice(0, 160)}…` : sample}\`) ` +
        'to the same number of clients, one message to every client per event-loop turn, timed from the command to the last message. Both are received by the same client code in the bench process. The order alternates from run to run.',
      '',
      '| | Messages | Seconds | Messages/s | Per run, messages/s |',
      '|---|---:|---:|---:|---|',
      `| Ours (commit + outbox read + GraphQL execution per subscriber + ws) | ${whole(runs[0]!.ours.messages)} | ${median(runs.map((r) => r.ours.seconds)).toFixed(2)} | ${whole(median(runs.map((r) => r.ours.perSecond)))} | ${list(runs.map((r) => r.ours.perSecond), whole)} |`,
      `| Raw \`ws\` broadcast of the same bytes | ${whole(runs[0]!.raw.messages)} | ${median(runs.map((r) => r.raw.seconds)).toFixed(2)} | ${whole(median(runs.map((r) => r.raw.perSecond)))} | ${list(runs.map((r) => r.raw.perSecond), whole)} |`,
      `| **Ours ÷ raw** | | | **${median(runs.map((r) => r.ratio)).toFixed(3)}** | ${list(runs.map((r) => r.ratio), (v) => v.toFixed(3))} |`,
      '',
      `The burst's mutations were answered after ${list(runs.map((r) => r.ours.committedSeconds), (v) => `${v.toFixed(2)} s`)} (per run); ` +
        `the same burst with no subscriber connected, just before, took ${list(runs.map((r) => r.ours.withoutSubscribersSeconds), (v) => `${v.toFixed(2)} s`)}: ` +
        'the difference is the writes waiting for the event loop while it fans out. ' +
        'What the ratio compares: the raw server does nothing per message but `ws.send` of a ready string; ours commits each report in PostgreSQL (transaction, audit row, outbox row under an advisory lock), reads the outbox, ' +
        'and for every subscriber runs the subscription\'s GraphQL execution and serialisation before the same `ws.send`. Both share the two cores with the bench process\'s 1,000 clients (and ours with PostgreSQL).',
      '',
    );
    const heaps = runs.flatMap((r) => (r.ours.heap ? [r.ours.heap] : []));
    if (heaps.length) {
      const perPair = heaps.map((h) => (h.delivered.heapUsed - h.before.heapUsed) / runs[0]!.ours.messages);
      push(
        `Server heap after a forced GC (median of runs): ${(median(heaps.map((h) => h.before.heapUsed)) / 2 ** 20).toFixed(0)} MiB with the subscribers connected and warm; ` +
          `${(median(heaps.map((h) => h.delivered.heapUsed)) / 2 ** 20).toFixed(0)} MiB once every message was delivered, subscribers still connected and idle ` +
          `(**${median(perPair).toFixed(0)} bytes retained per subscriber per event**; per run ${list(perPair, (v) => v.toFixed(0))}); ` +
          `${(median(heaps.map((h) => h.left.heapUsed)) / 2 ** 20).toFixed(0)} MiB after they left.`,
        '',
      );
    }
  } else push(s.phases.includes('throughput') ? 'Failed; see Failures.' : 'Not measured in this run (`--only` left it out).', '');

  if (result.fanout.length || s.phases.includes('fanout')) {
    push(
      '## 2b. Coalesced fan-out, like for like: ours ÷ a raw `ws` server that coalesces the same way',
      '',
      `N WebSocket subscribers of \`zoneSummary { checkpointTotals { peopleScreened feverCases reports } peopleUnderIsolation asOfSeq }\` on a server with the default coalescing (\`FANGKONG_MIN_INTERVAL_MS=${s.fanoutIntervalMs}\`), ` +
        `while reports arrive on schedule at the given rate for ${s.fanoutSeconds} s (sent without waiting for answers). ` +
        `Raw: \`bench/src/live/raw-broadcast.ts\` in its coalescing mode, its own process: each report is one control message; at most one update per ${s.fanoutIntervalMs} ms (the first change after a quiet interval at once, as ours), ` +
        'each update serialised once from a real message of ours (its `reports` total set) and sent to every subscriber. The same client code receives both. ' +
        'Latency: for every report and every subscriber, the first update whose `reports` total includes it, minus the instant the report was sent. ' +
        'CPU: user + system time of the serving process (/proc, 10 ms ticks) over the window, ÷ messages delivered. Ours in two figures: all of it, which **includes the report mutations themselves** (HTTP, GraphQL, the PostgreSQL transaction), which raw does not do; and **fan-out only**: less the CPU the same schedule of reports took just before with no subscriber connected. ' +
        'Sides alternate from run to run (the very first measurement is ours: raw needs one message of ours as its template).',
      '',
      '| Subscribers | Reports/s | p50 ms ours / raw | **p99 ms ours / raw** | **p99 ÷ raw** | **Delivered msg/s ours / raw (÷)** | CPU µs per message, all: ours / raw (÷) | **CPU µs per message, fan-out only: ours / raw (÷)** | Report errors | Reports answered (ours), p50 / p99 ms | Per-run p99 ms ours / raw |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    const configs = s.fanout;
    for (const config of configs) {
      const runs = result.fanout.filter((r) => r.config.subscribers === config.subscribers && r.config.rate === config.rate);
      if (!runs.length) {
        push(`| ${whole(config.subscribers)} | ${config.rate} | failed | | | | | | | | |`);
        continue;
      }
      const med = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
      push(
        `| ${whole(config.subscribers)} | ${config.rate} | ${ms(med((r) => r.ours.latency.p50))} / ${ms(med((r) => r.raw.latency.p50))} | ` +
          `**${ms(med((r) => r.ours.latency.p99))} / ${ms(med((r) => r.raw.latency.p99))}** | **${med((r) => r.ours.latency.p99 / r.raw.latency.p99).toFixed(2)}** | ` +
          `**${whole(med((r) => r.ours.perSecond))} / ${whole(med((r) => r.raw.perSecond))} (${med((r) => r.ours.perSecond / r.raw.perSecond).toFixed(2)})** | ` +
          `${med((r) => r.ours.cpuMicrosPerMessage).toFixed(1)} / ${med((r) => r.raw.cpuMicrosPerMessage).toFixed(1)} (${med((r) => r.ours.cpuMicrosPerMessage / r.raw.cpuMicrosPerMessage).toFixed(1)}) | ` +
          `**${med((r) => r.ours.fanoutCpuMicrosPerMessage).toFixed(1)} / ${med((r) => r.raw.cpuMicrosPerMessage).toFixed(1)} (${med((r) => r.ours.fanoutCpuMicrosPerMessage / r.raw.cpuMicrosPerMessage).toFixed(1)})** | ` +
          `${runs.reduce((n, r) => n + r.ours.errors, 0)} | ${ms(med((r) => r.ours.answered?.p50 ?? Number.NaN))} / ${ms(med((r) => r.ours.answered?.p99 ?? Number.NaN))} | ${runs.map((r) => `${ms(r.ours.latency.p99)} / ${ms(r.raw.latency.p99)}${r.first === 'raw' ? ' (raw first)' : ''}`).join('; ')} |`,
      );
    }
    push(
      '',
      'Latency runs from the instant a report is sent, so it includes its write: where reports are answered slowly (the "answered" column), the report → subscriber figures mostly measure the write path, not the fan-out. ' +
        'Ratios are medians of the per-run ratios. Delivered messages/s counts every update received from the first report to the last delivery; with both sides coalescing it is about subscribers × updates per second when a side keeps up, so a ratio below 1 means ours fell behind.',
      '',
    );
  }

  push(
    '## 3. RSS per idle subscriber',
    '',
    `One server per transport (both up for the phase, runs alternating), started with \`--inspect\` so the bench can force a full GC (twice) before each reading: heap in use (Runtime.getHeapUsage) and VmRSS (/proc/<pid>/status) right after. ` +
      `Warm-up once per server: 20 subscriptions opened, served and closed. Each run: 1.5 s of quiet; reading; then ${whole(s.idleSubscribers)} subscribers, one \`checkpointCounts(checkpointIds: [fengshou-road]) { today { peopleScreened } asOfSeq }\` subscription each ` +
      '(WS: a socket and a subscription per subscriber; SSE: an HTTP stream each), every one having received its snapshot; 1.5 s; reading. Then all closed; 3 s; reading.',
    '',
    '| Transport | Subscribers | RSS before / with / after, MiB | **RSS per idle subscriber, KiB** (with − before) | RSS given back per subscriber, KiB (with − after) | Heap per subscriber, KiB | Heap + external, KiB | Per run: RSS added / given back / heap, KiB | Connect + snapshot, s |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|',
  );
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  for (const transport of s.transports) {
    const runs = result.memory.filter((r) => r.transport === transport);
    if (!runs.length) {
      push(`| ${transport.toUpperCase()} | ${whole(s.idleSubscribers)} | failed | | | | | | |`);
      continue;
    }
    const med = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
    push(
      `| ${transport.toUpperCase()} | ${whole(s.idleSubscribers)} | ${mib(med((r) => r.before.rssKiB))} / ${mib(med((r) => r.with.rssKiB))} / ${mib(med((r) => r.after.rssKiB))} | ` +
        `**${med((r) => r.perSubscriberRssKiB).toFixed(1)}** | ${med((r) => r.perSubscriberRssReleasedKiB).toFixed(1)} | ${med((r) => r.perSubscriberHeapKiB).toFixed(1)} | ${med((r) => r.perSubscriberHeapExternalKiB).toFixed(1)} | ` +
        `${runs.map((r) => `${r.perSubscriberRssKiB.toFixed(1)} / ${r.perSubscriberRssReleasedKiB.toFixed(1)} / ${r.perSubscriberHeapKiB.toFixed(1)}`).join('; ')} | ${med((r) => r.connectSeconds).toFixed(1)} |`,
    );
  }
  push(
    '',
    'RSS moves with how much free heap V8 keeps committed after a GC, which depends on the garbage that came before, so "with − before" scatters from run to run; ' +
      '"with − after" compares two readings taken around the same departure and is steadier. The heap columns (after a forced GC) are the most precise: JavaScript objects, plus Buffers outside the heap.',
    '',
  );

  push(
    '## 4. The hop between two instances',
    '',
    `Two instances A and B on the same database; one WS subscriber on each; reports alternate A, B, A, B… (${s.hopReports} to each per run with Redis, ${s.pollReports} without), sent one at a time, each after both subscribers had it ` +
      '(without Redis, after a random pause of 0–1 s, so that the reports do not lock onto the phase of the poll timers). ' +
      'A report to B reaches B\'s subscriber without leaving B; a report to A reaches it through Redis (A publishes the sequence number after the commit, B reads the outbox), or, without `REDIS_URL`, through B\'s outbox poll (every 1 s). ' +
      'The subscriber on A makes each report its own control: "paired" is, per report, the latency at the other instance minus the latency at the instance that took the write, which removes the mutation\'s own time from the comparison.',
    '',
    '| Bus | On B: reports to A (hop), p50 / p99 ms | On B: reports to B (no hop), p50 / p99 ms | **Added by the hop, p50 / p99 ms** | Paired hop per report, p50 / p99 ms | Per run, paired p50 ms | Mutation answered, p50 ms |',
    '|---|---:|---:|---:|---:|---|---:|',
  );
  for (const cell of result.hops) {
    const runs = cell.runs;
    const name = cell.bus === 'redis' ? `Redis ${result.redisVersion}` : 'no Redis (1 s poll)';
    if (!runs.length) {
      push(`| ${name} | failed | | | | | |`);
      continue;
    }
    const med = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
    push(
      `| ${name} | ${ms(med((r) => r.fromA.p50))} / ${ms(med((r) => r.fromA.p99))} | ${ms(med((r) => r.fromB.p50))} / ${ms(med((r) => r.fromB.p99))} | ` +
        `**${ms(med((r) => r.fromA.p50 - r.fromB.p50))} / ${ms(med((r) => r.fromA.p99 - r.fromB.p99))}** | ${ms(med((r) => r.paired.p50))} / ${ms(med((r) => r.paired.p99))} | ` +
        `${list(runs.map((r) => r.paired.p50), (v) => v.toFixed(2))} | ${ms(med((r) => r.mutationP50))} |`,
    );
  }
  push(
    '',
    'The "added" column is the comparison asked for (B\'s subscriber, writes to A versus writes to B); it also carries the difference between B serving the write itself and not, so with a hop as small as Redis\'s it can come out negative. ' +
      `With ${s.pollReports} reports per instance and run, p99 of the poll rows is nearly the maximum.`,
    '',
  );

  push('## Server health during the run', '');
  push(
    `- Memory of the latency/throughput server after a forced GC, heap / RSS: ${result.latencyServerMemory.map(([when, r]) => `${when} ${mib(r.heapUsed / 1024)} / ${mib(r.rssKiB)} MiB`).join('; ')}.`,
  );
  const retried = result.retries.reduce((n, r) => n + r.count, 0);
  push(`- Reports retried with the same idempotency key after a failed attempt: ${retried}${retried ? '' : '.'}`);
  for (const r of result.retries) push(`  - ${r.phase}: ${r.count}; first: \`${(r.reasons[0] ?? '').replace(/`/g, "'")}\``);
  const warnings = result.serverWarnings.reduce((n, w) => n + w.count, 0);
  push(`- Warning and error lines logged by the servers: ${warnings}.`);
  for (const w of result.serverWarnings) push(`  - ${w.server}: ${w.count}; first: \`${w.lines[0]?.replace(/`/g, "'") ?? ''}\``);
  push(`- Problems seen by subscribers (errors in results, unexpected closes such as 4413 "consumer too slow"): ${result.problems.length ? '' : 'none.'}`);
  for (const p of result.problems.slice(0, 20)) push(`  - ${p.replace(/`/g, "'")}`);
  if (result.failures.length) {
    push('', '## Failures', '');
    for (const f of result.failures) push(`- ${f.split('\n')[0]!.replace(/`/g, "'")}`);
  }
  const retained = result.throughput.flatMap((r) => (r.ours.heap ? [(r.ours.heap.delivered.heapUsed - r.ours.heap.before.heapUsed) / r.ours.messages] : []));
  push('', '## Notes', '');
  const growth = [
    retainedSequential.length ? `${median(retainedSequential).toFixed(0)} bytes of heap per subscriber per event when events come one at a time (section 1)` : '',
    retained.length ? `${median(retained).toFixed(0)} in a burst (section 2)` : '',
  ].filter(Boolean);
  if (Math.max(median(retainedSequential) || 0, median(retained) || 0) > 50) {
    push(
      `- Server memory grows with every event while \`events\` subscribers stay connected: ${growth.join(', ')}, surviving a full GC and given back only when the subscriber leaves. ` +
        'A wall display that stays subscribed for days accumulates it.',
    );
  }
  push(
    '- Two cores are shared by the server(s), PostgreSQL, Redis and the bench process with its up to 1,000 clients: absolute figures move with the machine and with whatever else runs on it (see the load averages). The ratio in section 2 is measured back to back in one run.',
    '- The client side of every latency is in the bench process: with 1,000 subscribers it reads 1,000 sockets and parses 1,000 messages per report, which is part of what the high percentiles show, for both transports alike.',
    '- p99 is nearest-rank over every delivery of a run: with one subscriber and 50 reports it is the largest of the 50.',
    '- Reproduce: `node --import tsx bench/src/live/cli.ts` from the repository root (3 runs; 6–8 minutes on this machine), `--quick` for a one-run smoke test, `--runs N` to change the count. ' +
      'BENCH_POSTGRES_URL and BENCH_REDIS_URL name the services (defaults postgres://postgres@127.0.0.1:5432/postgres, redis://127.0.0.1:6379).',
    '',
  );
  return lines.join('\n');
}
