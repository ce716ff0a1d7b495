// What a checkpoint sees and a line makes, as pure functions of the kind, the local hour, the length
// of the period and a random stream. The seed gives no counts: every figure here is invented, sized
// for a district under the February 2020 lockdown (thin traffic, everyone screened).
import type { CheckpointCounts } from '@fangkong/zone';
import { between, binomial, normal, poisson, type Rand, stochasticRound } from './random.ts';

export type CheckpointKind = 'EXPRESSWAY_EXIT' | 'ROAD' | 'MARKET' | 'COMPOUND_GATE' | 'SUPERMARKET';
export type LineStatus = 'INSTALLING' | 'COMMISSIONING' | 'PRODUCING' | 'IDLE' | 'HALTED';


interface KindProfile {
  /** Share of the peak hour's traffic in each local hour 0–23. */
  shape: readonly number[];
  /** People screened in the busiest hour. */
  peakPeoplePerHour: number;
  vehiclesPerPerson: number;
  /** Vehicles disinfected, as a share of vehicles inspected. */
  disinfectedVehicleShare: number;
  /** Disinfection rounds of the site itself, per hour it is open. */
  siteDisinfectionsPerHour: number;
  /** Chance a screened person has a fever. */
  feverRate: number;
  /** Chance a screened person came from Hubei recently. */
  hubeiRate: number;
}

// Expressway exits carry the day's through traffic; the vegetable market is a wholesale hub whose
// trucks arrive before dawn; compound gates see residents leave in the morning and return in the
// evening; the supermarket is closed at night.
const PROFILES: Record<CheckpointKind, KindProfile> = {
  EXPRESSWAY_EXIT: {
    shape: [0.1, 0.07, 0.05, 0.05, 0.06, 0.12, 0.25, 0.45, 0.7, 0.88, 0.97, 1, 0.9, 0.85, 0.92, 0.98, 1, 0.95, 0.8, 0.6, 0.45, 0.32, 0.22, 0.15],
    peakPeoplePerHour: 360,
    vehiclesPerPerson: 0.5,
    disinfectedVehicleShare: 0.25,
    siteDisinfectionsPerHour: 0.25,
    feverRate: 0.0012,
    hubeiRate: 0.006,
  },
  ROAD: {
    shape: [0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.35, 0.7, 0.9, 0.85, 0.8, 0.78, 0.7, 0.68, 0.72, 0.78, 0.85, 0.95, 0.85, 0.6, 0.4, 0.28, 0.18, 0.12],
    peakPeoplePerHour: 200,
    vehiclesPerPerson: 0.55,
    disinfectedVehicleShare: 0.2,
    siteDisinfectionsPerHour: 0.25,
    feverRate: 0.0008,
    hubeiRate: 0.003,
  },
  MARKET: {
    shape: [0.15, 0.25, 0.45, 0.8, 1, 0.95, 0.85, 0.7, 0.55, 0.45, 0.4, 0.35, 0.3, 0.25, 0.25, 0.28, 0.3, 0.28, 0.22, 0.15, 0.1, 0.08, 0.08, 0.1],
    peakPeoplePerHour: 480,
    vehiclesPerPerson: 0.4,
    disinfectedVehicleShare: 0.6,
    siteDisinfectionsPerHour: 0.5,
    feverRate: 0.0005,
    hubeiRate: 0.001,
  },
  COMPOUND_GATE: {
    shape: [0.04, 0.02, 0.02, 0.02, 0.03, 0.1, 0.45, 0.95, 1, 0.6, 0.45, 0.5, 0.6, 0.45, 0.4, 0.45, 0.6, 0.9, 1, 0.75, 0.5, 0.35, 0.2, 0.08],
    peakPeoplePerHour: 90,
    vehiclesPerPerson: 0.3,
    // 7 Feb: "disinfect every vehicle" at the compound gates.
    disinfectedVehicleShare: 0.9,
    siteDisinfectionsPerHour: 0.25,
    feverRate: 0.0004,
    hubeiRate: 0.002,
  },
  SUPERMARKET: {
    shape: [0, 0, 0, 0, 0, 0, 0, 0.1, 0.45, 0.8, 1, 0.95, 0.75, 0.6, 0.55, 0.6, 0.75, 0.95, 0.9, 0.7, 0.45, 0.2, 0, 0],
    peakPeoplePerHour: 240,
    vehiclesPerPerson: 0.08,
    disinfectedVehicleShare: 0,
    siteDisinfectionsPerHour: 0.5,
    feverRate: 0.0005,
    hubeiRate: 0.0005,
  },
};

/** Chance a fever case is sent on to the fever clinic, and a Hubei-linked person to home isolation. */
const REFERRED_IF_FEVER = 0.85;
const REFERRED_IF_HUBEI = 0.25;

export const CHECKPOINT_KINDS = Object.keys(PROFILES) as CheckpointKind[];

function profileOf(kind: string): KindProfile {
  // A kind added to the schema later is simulated like a road checkpoint.
  return PROFILES[kind as CheckpointKind] ?? PROFILES.ROAD;
}

/** Share of the kind's peak-hour traffic at a local hour (fractional hours interpolate; wraps at 24). */
export function trafficShare(kind: string, localHour: number): number {
  const { shape } = profileOf(kind);
  const h = ((localHour % 24) + 24) % 24;
  const lower = Math.floor(h);
  const weight = h - lower;
  return shape[lower]! * (1 - weight) + shape[(lower + 1) % 24]! * weight;
}

/** Chance one person screened at this kind of checkpoint has a fever. */
export function feverProbability(kind: string): number {
  return profileOf(kind).feverRate;
}

/** Mean figures for `hours` of reporting around `localHour`. */
export function expectedCounts(kind: string, localHour: number, hours: number): CheckpointCounts {
  const p = profileOf(kind);
  const share = trafficShare(kind, localHour);
  const people = p.peakPeoplePerHour * share * hours;
  const vehicles = people * p.vehiclesPerPerson;
  const fever = people * p.feverRate;
  const hubei = people * p.hubeiRate;
  return {
    peopleScreened: people,
    vehiclesInspected: vehicles,
    feverCases: fever,
    hubeiLinked: hubei,
    referred: fever * REFERRED_IF_FEVER + hubei * REFERRED_IF_HUBEI,
    disinfections: vehicles * p.disinfectedVehicleShare + (share > 0 ? p.siteDisinfectionsPerHour * hours : 0),
  };
}

/** One report's figures: whole numbers, every "at most peopleScreened" rule kept. */
export function drawCheckpointCounts(kind: string, localHour: number, hours: number, rand: Rand): CheckpointCounts {
  const p = profileOf(kind);
  const mean = expectedCounts(kind, localHour, hours);
  const peopleScreened = poisson(rand, mean.peopleScreened);
  const vehiclesInspected = poisson(rand, mean.vehiclesInspected);
  const feverCases = Math.min(peopleScreened, poisson(rand, peopleScreened * p.feverRate));
  const hubeiLinked = Math.min(peopleScreened, poisson(rand, peopleScreened * p.hubeiRate));
  const referred = Math.min(peopleScreened, binomial(rand, feverCases, REFERRED_IF_FEVER) + binomial(rand, hubeiLinked, REFERRED_IF_HUBEI));
  const disinfections =
    binomial(rand, vehiclesInspected, p.disinfectedVehicleShare) + (trafficShare(kind, localHour) > 0 ? poisson(rand, p.siteDisinfectionsPerHour * hours) : 0);
  return { vehiclesInspected, peopleScreened, feverCases, hubeiLinked, referred, disinfections };
}

// ─────────────────────────── production ───────────────────────────

/** The server refuses output above twice the rated capacity pro rata; stay safely below it. */
export function outputCeiling(ratedDailyCapacity: number, hours: number): number {
  return Math.floor(2 * ratedDailyCapacity * (hours / 24));
}

/** Lines run round the clock (overtime); output dips in the hour of each shift handover. */
function shiftFactor(localHour: number): number {
  const h = Math.floor(((localHour % 24) + 24) % 24);
  return h === 8 || h === 20 ? 0.85 : 1;
}

/** Share of rated speed a line runs at, on average, in each status. */
const STATUS_YIELD: Record<LineStatus, number> = { PRODUCING: 0.93, COMMISSIONING: 0.3, IDLE: 0, INSTALLING: 0, HALTED: 0 };

/** Mean units produced in `hours` around `localHour`. */
export function expectedOutput(ratedDailyCapacity: number, status: LineStatus, localHour: number, hours: number): number {
  return ratedDailyCapacity * (hours / 24) * STATUS_YIELD[status] * shiftFactor(localHour);
}

/** Whether the server takes output reports from a line in this status. */
export const reportsOutput = (status: string): boolean => status === 'PRODUCING' || status === 'COMMISSIONING' || status === 'IDLE';

/** One output report: near rated capacity when producing, test batches while commissioning, nothing when idle. */
export function drawOutput(ratedDailyCapacity: number, status: LineStatus, localHour: number, hours: number, rand: Rand): { produced: number; passedQc: number } {
  const mean = expectedOutput(ratedDailyCapacity, status, localHour, hours);
  if (mean <= 0) return { produced: 0, passedQc: 0 };
  const spread = status === 'COMMISSIONING' ? between(rand, 0.5, 1.5) : Math.min(1.15, Math.max(0.8, 1 + 0.05 * normal(rand)));
  const produced = Math.min(outputCeiling(ratedDailyCapacity, hours), stochasticRound(rand, mean * spread));
  const passRate = status === 'COMMISSIONING' ? between(rand, 0.8, 0.92) : between(rand, 0.975, 0.995);
  return { produced, passedQc: Math.min(produced, stochasticRound(rand, produced * passRate)) };
}

// ─────────────────────────── line incidents ───────────────────────────

/** One step of an incident: the status to set, how long (simulated hours) it lasts, and why. */
export interface IncidentStep {
  status: LineStatus;
  hours: number;
  note: string;
}

/** On average one incident per line every three simulated days. */
const INCIDENTS_PER_HOUR = 1 / 72;

/** Chance a producing line has an incident within `hours` simulated hours. */
export function incidentProbability(hours: number): number {
  return 1 - Math.exp(-INCIDENTS_PER_HOUR * Math.max(0, hours));
}

/**
 * An incident that ends with the line producing again: mostly a wait for materials (idle), sometimes
 * a breakdown (halted, then commissioned again). The last step is always PRODUCING.
 */
export function drawIncident(rand: Rand): IncidentStep[] {
  if (rand() < 0.7) {
    return [
      { status: 'IDLE', hours: between(rand, 1, 4), note: 'Simulated: waiting for melt-blown fabric' },
      { status: 'PRODUCING', hours: 0, note: 'Simulated: materials arrived' },
    ];
  }
  return [
    { status: 'HALTED', hours: between(rand, 1, 3), note: 'Simulated: equipment fault' },
    { status: 'COMMISSIONING', hours: between(rand, 0.5, 1.5), note: 'Simulated: repaired, test run' },
    { status: 'PRODUCING', hours: 0, note: 'Simulated: back in production' },
  ];
}

/** The statuses that lead a line from `status` back to PRODUCING, following the allowed transitions. */
export function pathToProducing(status: string): LineStatus[] {
  switch (status) {
    case 'IDLE':
    case 'COMMISSIONING':
      return ['PRODUCING'];
    case 'HALTED':
    case 'INSTALLING':
      return ['COMMISSIONING', 'PRODUCING'];
    default:
      return [];
  }
}
