// A simulated history of 27 Jan – 9 Feb 2020 (Asia/Shanghai): hourly checkpoint counts, hourly line
// output that follows the seed's story, a few mask allocations and home-isolation cases. The seed
// gives no counts, so every number here is invented, deterministic (seeded PRNG, fixed clock) and
// marked simulated: source SIMULATED on reports, simulated=true on allocations and cases, fake
// names and phone numbers for isolated residents.
import { createHash } from 'node:crypto';
import {
  AllocationDestination,
  AllocationStatus,
  IsolationStatus,
  ReportSource,
  SupplySource,
  type Prisma,
} from '../generated/client/client.ts';
import { checkpoints, lineStatusChanges, productionLines, zoneTime } from './reference-data.ts';

export const historyActor = 'simulator:history';
export const historyStart = zoneTime('2020-01-27');
/** Exclusive: midnight at the end of 9 Feb. */
export const historyEnd = zoneTime('2020-02-10');

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export interface History {
  checkpointReports: Prisma.CheckpointReportCreateManyInput[];
  outputReports: Prisma.OutputReportCreateManyInput[];
  allocations: Prisma.AllocationCreateManyInput[];
  isolationCases: Prisma.IsolationCaseCreateManyInput[];
  healthChecks: Prisma.HealthCheckCreateManyInput[];
}

/** A UUID-shaped id derived from a key, so every run writes the same ids. */
export function stableId(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** mulberry32, seeded from a string: one independent stream per checkpoint or line. */
function random(seedKey: string): () => number {
  let state = createHash('sha256').update(`fangkong-history:${seedKey}`).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Poisson draw for the small rates (fever cases, Hubei links). */
function poisson(rand: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

function binomial(rand: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

const localHour = (at: Date): number => new Date(at.getTime() + 8 * hourMs).getUTCHours();
const dayIndex = (at: Date): number => Math.floor((at.getTime() - historyStart.getTime()) / dayMs);

// ─────────────────────────── checkpoints ───────────────────────────

// Share of the peak hour's traffic, by local hour 0–23.
const daily = {
  road: [0.12, 0.08, 0.06, 0.05, 0.06, 0.12, 0.3, 0.55, 0.8, 0.95, 1, 0.95, 0.8, 0.75, 0.85, 0.95, 1, 0.95, 0.8, 0.6, 0.45, 0.35, 0.25, 0.18],
  // A wholesale vegetable market is busiest before dawn.
  market: [0.3, 0.5, 0.8, 1, 1, 0.95, 0.85, 0.7, 0.55, 0.45, 0.4, 0.35, 0.3, 0.25, 0.25, 0.25, 0.3, 0.3, 0.25, 0.2, 0.15, 0.15, 0.2, 0.25],
  gate: [0.05, 0.03, 0.02, 0.02, 0.03, 0.08, 0.3, 0.7, 0.9, 0.8, 0.75, 0.85, 0.7, 0.5, 0.55, 0.6, 0.7, 0.9, 1, 0.8, 0.55, 0.35, 0.2, 0.1],
  // Open 08:00–22:00.
  supermarket: [0, 0, 0, 0, 0, 0, 0, 0, 0.6, 0.9, 1, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1, 0.85, 0.6, 0.4, 0.2, 0, 0],
};

interface SiteProfile {
  hours: number[];
  peakVehicles: number;
  peakPeople: number;
  /** Per person screened. */
  feverRate: number;
  hubeiRate: number;
  /** Traffic level by day: the Spring Festival holiday ran to 2 Feb, then the return-travel peak. */
  dayFactor(day: number): number;
  disinfections(vehicles: number, hour: number, rand: () => number): number;
}

const returnTravel = (day: number) => (day < 7 ? 0.6 + 0.03 * day : 1 + 0.03 * (day - 7));

const profiles: Record<string, SiteProfile> = {
  'yingbin-road-exit': road(140),
  'zhongyuan-road-exit': road(100),
  'fengshou-road': road(70),
  'lubao-market': {
    hours: daily.market,
    peakVehicles: 45,
    peakPeople: 160,
    feverRate: 1 / 4000,
    hubeiRate: 1 / 3000,
    dayFactor: () => 1,
    disinfections: (vehicles, hour) => vehicles + (hour % 2 === 0 ? 1 : 0),
  },
  'linxigu-gate': gate(20, 70),
  'binhe-gate': gate(12, 55),
  'jinshan-gate': gate(15, 60),
  'baida-supermarket': {
    hours: daily.supermarket,
    peakVehicles: 0,
    peakPeople: 110,
    feverRate: 1 / 4000,
    hubeiRate: 1 / 8000,
    dayFactor: () => 1,
    disinfections: (_vehicles, hour) => (hour >= 8 && hour < 22 && hour % 3 === 0 ? 1 : 0),
  },
};

function road(peakVehicles: number): SiteProfile {
  return {
    hours: daily.road,
    peakVehicles,
    peakPeople: Math.round(peakVehicles * 1.8),
    feverRate: 1 / 2500,
    hubeiRate: 1 / 400,
    dayFactor: returnTravel,
    disinfections: (vehicles, _hour, rand) => binomial(rand, vehicles, 0.2) + 1,
  };
}

function gate(peakVehicles: number, peakPeople: number): SiteProfile {
  return {
    hours: daily.gate,
    peakVehicles,
    peakPeople,
    feverRate: 1 / 5000,
    hubeiRate: 1 / 1500,
    // Closed management tightens day by day.
    dayFactor: (day) => 1 - 0.03 * Math.max(0, day - 5),
    // Every vehicle is disinfected, plus the gate itself every four hours.
    disinfections: (vehicles, hour) => vehicles + (hour % 4 === 0 ? 1 : 0),
  };
}

function checkpointHistory(): Prisma.CheckpointReportCreateManyInput[] {
  const rows: Prisma.CheckpointReportCreateManyInput[] = [];
  for (const checkpoint of checkpoints) {
    const profile = profiles[checkpoint.id];
    if (!profile) throw new Error(`no simulation profile for checkpoint ${checkpoint.id}`);
    const rand = random(`checkpoint:${checkpoint.id}`);
    const opened = new Date(checkpoint.openedAt ?? historyStart);
    for (let t = Math.max(opened.getTime(), historyStart.getTime()); t < historyEnd.getTime(); t += hourMs) {
      const periodStart = new Date(t);
      const hour = localHour(periodStart);
      const level = profile.hours[hour]! * profile.dayFactor(dayIndex(periodStart));
      const noisy = (peak: number) => Math.max(0, Math.round(peak * level * (1 + 0.15 * gaussian(rand))));
      const vehiclesInspected = noisy(profile.peakVehicles);
      const peopleScreened = noisy(profile.peakPeople);
      const feverCases = Math.min(peopleScreened, poisson(rand, peopleScreened * profile.feverRate));
      const hubeiLinked = Math.min(peopleScreened, poisson(rand, peopleScreened * profile.hubeiRate));
      // Most fever cases go to a fever clinic; about half of the Hubei-linked to observation.
      const referred = binomial(rand, feverCases, 0.7) + binomial(rand, hubeiLinked, 0.5);
      const key = `history:${checkpoint.id}:${periodStart.toISOString()}`;
      rows.push({
        id: stableId(key),
        checkpointId: checkpoint.id,
        periodStart,
        periodEnd: new Date(t + hourMs),
        vehiclesInspected,
        peopleScreened,
        feverCases,
        hubeiLinked,
        referred,
        disinfections: profile.disinfections(vehiclesInspected, hour, rand),
        source: ReportSource.SIMULATED,
        reportedBy: historyActor,
        idempotencyKey: key,
        createdAt: new Date(t + hourMs),
      });
    }
  }
  return rows;
}

// ─────────────────────────── production ───────────────────────────

/** Share of rated capacity a line runs at, `hours` after it started producing. */
const utilisation: Record<string, (at: Date, hours: number) => number> = {
  // New lines ramp up over a couple of days.
  'yizhonghong-line-1': (_at, hours) => 0.9 * (1 - Math.exp(-hours / 24)),
  'yizhonghong-line-2': (_at, hours) => 0.88 * (1 - Math.exp(-hours / 28)),
  'yizhonghong-line-3': (_at, hours) => 0.86 * (1 - Math.exp(-hours / 32)),
  // Resumed early and expanded: near capacity, creeping up.
  'mingren-mingkang-line-1': (_at, hours) => 0.82 + 0.15 * Math.min(1, hours / (10 * 24)),
  // Told on 4 Feb to run at full capacity.
  'pingguang-line-1': (at) => (at < zoneTime('2020-02-04', '09:00') ? 0.8 : 0.95),
};

function producingSince(lineId: string): Date {
  const change = lineStatusChanges.find((c) => c.lineId === lineId && c.to === 'PRODUCING');
  if (!change) throw new Error(`line ${lineId} never starts producing`);
  return new Date(change.at);
}

function outputHistory(): Prisma.OutputReportCreateManyInput[] {
  const rows: Prisma.OutputReportCreateManyInput[] = [];
  for (const line of productionLines) {
    const rate = utilisation[line.id];
    if (!rate) throw new Error(`no simulation profile for line ${line.id}`);
    const rand = random(`line:${line.id}`);
    const since = producingSince(line.id);
    const isNew = line.enterpriseId === 'yizhonghong';
    for (let t = Math.max(since.getTime(), historyStart.getTime()); t < historyEnd.getTime(); t += hourMs) {
      const periodStart = new Date(t);
      const hours = (t - since.getTime()) / hourMs;
      const hour = localHour(periodStart);
      // Shift changes at 08:00 and 20:00 cost some output.
      const shift = hour === 8 || hour === 20 ? 0.8 : 1;
      const perHour = (line.ratedDailyCapacity / 24) * rate(periodStart, hours) * shift;
      const produced = Math.max(0, Math.round(perHour * (1 + 0.04 * gaussian(rand))));
      // New lines reject more while they settle in.
      const qcRate = isNew ? Math.min(0.985, 0.88 + 0.1 * (1 - Math.exp(-hours / 30))) : 0.975;
      const passedQc = Math.min(produced, Math.round(produced * (qcRate + 0.01 * gaussian(rand))));
      const key = `history:${line.id}:${periodStart.toISOString()}`;
      rows.push({
        id: stableId(key),
        lineId: line.id,
        periodStart,
        periodEnd: new Date(t + hourMs),
        produced,
        passedQc,
        source: ReportSource.SIMULATED,
        reportedBy: historyActor,
        idempotencyKey: key,
        createdAt: new Date(t + hourMs),
      });
    }
  }
  return rows;
}

// ──────────────────────────── supplies ────────────────────────────

interface AllocationPlan {
  at: Date;
  from: string;
  destination: AllocationDestination;
  checkpointId?: string;
  areaId?: string;
  quantity: number;
  status: AllocationStatus;
  note: string;
}

const allocationPlans: AllocationPlan[] = [
  { at: zoneTime('2020-01-28', '10:00'), from: 'mingren-mingkang', destination: AllocationDestination.CITY, quantity: 60_000, status: AllocationStatus.DELIVERED, note: '模拟：市疫情防控指挥部统一调度' },
  { at: zoneTime('2020-01-30', '09:00'), from: 'mingren-mingkang', destination: AllocationDestination.CHECKPOINT, checkpointId: 'yingbin-road-exit', quantity: 5_000, status: AllocationStatus.DELIVERED, note: '模拟：检查点防护' },
  { at: zoneTime('2020-01-30', '09:30'), from: 'mingren-mingkang', destination: AllocationDestination.CHECKPOINT, checkpointId: 'zhongyuan-road-exit', quantity: 5_000, status: AllocationStatus.DELIVERED, note: '模拟：检查点防护' },
  { at: zoneTime('2020-01-30', '10:00'), from: 'mingren-mingkang', destination: AllocationDestination.CHECKPOINT, checkpointId: 'fengshou-road', quantity: 3_000, status: AllocationStatus.DELIVERED, note: '模拟：检查点防护' },
  { at: zoneTime('2020-02-02', '14:00'), from: 'mingren-mingkang', destination: AllocationDestination.MEDICAL_STAFF, quantity: 20_000, status: AllocationStatus.DELIVERED, note: '模拟：医护人员' },
  { at: zoneTime('2020-02-03', '10:00'), from: 'mingren-mingkang', destination: AllocationDestination.CITY, quantity: 100_000, status: AllocationStatus.DELIVERED, note: '模拟：市疫情防控指挥部统一调度' },
  { at: zoneTime('2020-02-05', '15:00'), from: 'mingren-mingkang', destination: AllocationDestination.COMMUNITY, areaId: 'zhulinlu', quantity: 10_000, status: AllocationStatus.DELIVERED, note: '模拟：社区防控' },
  { at: zoneTime('2020-02-06', '09:00'), from: 'mingren-mingkang', destination: AllocationDestination.CHECKPOINT, checkpointId: 'lubao-market', quantity: 3_000, status: AllocationStatus.DELIVERED, note: '模拟：市场防控' },
  { at: zoneTime('2020-02-08', '10:00'), from: 'yizhonghong', destination: AllocationDestination.CITY, quantity: 30_000, status: AllocationStatus.DISPATCHED, note: '模拟：亿中弘首批口罩投放' },
  { at: zoneTime('2020-02-09', '15:00'), from: 'yizhonghong', destination: AllocationDestination.COMMUNITY, areaId: 'liwan', quantity: 20_000, status: AllocationStatus.PLANNED, note: '模拟：街道社区服务队' },
];

/**
 * Mask allocations; a quantity is cut to what the source enterprise had passed QC and not yet
 * allocated at that moment, so allocations never exceed production.
 */
function allocationHistory(output: Prisma.OutputReportCreateManyInput[]): Prisma.AllocationCreateManyInput[] {
  const enterpriseOf = new Map(productionLines.map((line) => [line.id, line.enterpriseId]));
  const allocated = new Map<string, number>();
  return allocationPlans.map((plan, index) => {
    const made = output
      .filter((r) => enterpriseOf.get(r.lineId) === plan.from && new Date(r.periodEnd) <= plan.at)
      .reduce((sum, r) => sum + r.passedQc, 0);
    const available = made - (allocated.get(plan.from) ?? 0);
    const quantity = Math.min(plan.quantity, Math.floor(available / 100) * 100);
    if (quantity <= 0) throw new Error(`simulated allocation ${index + 1}: nothing available from ${plan.from}`);
    allocated.set(plan.from, (allocated.get(plan.from) ?? 0) + quantity);
    const key = `history:allocation:${String(index + 1).padStart(2, '0')}`;
    const dispatched = plan.status !== AllocationStatus.PLANNED;
    return {
      id: stableId(key),
      productId: 'medical-mask',
      quantity,
      source: SupplySource.ENTERPRISE,
      sourceEnterpriseId: plan.from,
      destination: plan.destination,
      destinationCheckpointId: plan.checkpointId ?? null,
      destinationAreaId: plan.areaId ?? null,
      note: plan.note,
      status: plan.status,
      plannedAt: plan.at,
      dispatchedAt: dispatched ? new Date(plan.at.getTime() + 2 * hourMs) : null,
      deliveredAt: plan.status === AllocationStatus.DELIVERED ? new Date(plan.at.getTime() + 5 * hourMs) : null,
      simulated: true,
      createdBy: historyActor,
      idempotencyKey: key,
    };
  });
}

// ──────────────────────────── isolation ────────────────────────────

const isolationPlans: { compoundId: string; startedAt: Date }[] = [
  { compoundId: 'changlv-linxigu', startedAt: zoneTime('2020-01-28', '15:00') },
  { compoundId: 'jinshan-dongfang', startedAt: zoneTime('2020-01-31', '11:00') },
  { compoundId: 'changlv-linxigu', startedAt: zoneTime('2020-02-02', '18:00') },
  { compoundId: 'jinshan-dongfang', startedAt: zoneTime('2020-02-04', '10:00') },
  { compoundId: 'changlv-linxigu', startedAt: zoneTime('2020-02-06', '16:00') },
];

function isolationHistory(): Pick<History, 'isolationCases' | 'healthChecks'> {
  const rand = random('isolation');
  const isolationCases: Prisma.IsolationCaseCreateManyInput[] = [];
  const healthChecks: Prisma.HealthCheckCreateManyInput[] = [];
  isolationPlans.forEach((plan, index) => {
    const n = String(index + 1).padStart(2, '0');
    const caseId = stableId(`history:isolation:${n}`);
    isolationCases.push({
      id: caseId,
      personName: `模拟居民${n}`,
      phone: `000-0000-00${n}`,
      compoundId: plan.compoundId,
      reason: '模拟数据：湖北返乡，居家隔离14天（simulated: returned from Hubei, 14-day home isolation）',
      startedAt: plan.startedAt,
      endsAt: new Date(plan.startedAt.getTime() + 14 * dayMs),
      status: IsolationStatus.ACTIVE,
      simulated: true,
      createdBy: historyActor,
      createdAt: plan.startedAt,
    });
    // One check a day at about 09:00, from the first morning after isolation began.
    for (let day = dayIndex(plan.startedAt) + 1; day < dayIndex(historyEnd); day++) {
      const checkedAt = new Date(historyStart.getTime() + day * dayMs + 9 * hourMs + Math.floor(rand() * 40) * 60_000);
      healthChecks.push({
        id: stableId(`history:isolation:${n}:check:${checkedAt.toISOString().slice(0, 10)}`),
        caseId,
        temperature: Math.round((36.3 + rand() * 0.6) * 10) / 10,
        symptoms: [],
        note: '模拟数据',
        checkedAt,
        checkedBy: historyActor,
      });
    }
  });
  return { isolationCases, healthChecks };
}

/** The whole simulated history; the same every time. */
export function buildHistory(): History {
  const checkpointReports = checkpointHistory();
  const outputReports = outputHistory();
  return {
    checkpointReports,
    outputReports,
    allocations: allocationHistory(outputReports),
    ...isolationHistory(),
  };
}
