export { startSimulator, SimulatorError, type Simulator, type SimulatorOptions, type SimulatorTotals, type EndReason } from './simulator.ts';
export type { Totals } from './status.ts';
