import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU counters at one instant: the whole machine, this process, and the watched processes. */
export interface CpuSnapshot {
  machineBusyMs: number;
  machineTotalMs: number;
  benchMs: number;
  /** pid → user + system milliseconds, for the watched pids that could be read. */
  processMs: Map<number, number>;
}

/** Where a phase's CPU went, in milliseconds; null where the processes could not be read. */
export interface CpuUse {
  /** Share of all cores busy over the phase, whoever used them (0–1). */
  machineBusy: number;
  benchMs: number;
  /** The server instances together; null when none could be read. */
  serverMs: number | null;
  /** Each server instance, in the order given. */
  serversMs: (number | null)[];
  postgresMs: number | null;
  /** Busy time nobody above accounts for: other processes on the machine, PostgreSQL's background workers, the kernel. */
  otherMs: number;
  /** The whole machine's capacity over the phase (elapsed × cores). */
  capacityMs: number;
}

export function snapshotCpu(pids: Iterable<number>): CpuSnapshot {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  const usage = process.cpuUsage();
  const processMs = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== null) processMs.set(pid, ms);
  }
  return { machineBusyMs: busy, machineTotalMs: total, benchMs: (usage.user + usage.system) / 1000, processMs };
}

/**
 * The CPU spent between two snapshots. A PostgreSQL backend seen only at the end started during
 * the phase, so all its time counts; one that ended during the phase is lost (and lands in "other").
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, serverPids: readonly number[], postgresPids: readonly number[]): CpuUse {
  const spent = (pid: number) => {
    const end = after.processMs.get(pid);
    return end === undefined ? null : end - (before.processMs.get(pid) ?? 0);
  };
  const serversMs = serverPids.map(spent);
  const readable = serversMs.filter((ms): ms is number => ms !== null);
  const serverMs = readable.length ? readable.reduce((a, b) => a + b, 0) : null;
  const backends = postgresPids.map(spent).filter((ms): ms is number => ms !== null);
  const postgresMs = backends.length ? backends.reduce((a, b) => a + b, 0) : null;
  const busyMs = after.machineBusyMs - before.machineBusyMs;
  const capacityMs = Math.max(1, after.machineTotalMs - before.machineTotalMs);
  const benchMs = after.benchMs - before.benchMs;
  return {
    machineBusy: busyMs / capacityMs,
    benchMs,
    serverMs,
    serversMs,
    postgresMs,
    otherMs: Math.max(0, busyMs - benchMs - (serverMs ?? 0) - (postgresMs ?? 0)),
    capacityMs,
  };
}

/** User + system CPU milliseconds of a process, from /proc (Linux); null elsewhere or when gone. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces and parentheses) come state, then fields 4…; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null; // USER_HZ is 100 on Linux: a tick is 10 ms
  } catch {
    return null;
  }
}
