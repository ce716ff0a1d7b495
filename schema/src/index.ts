import { builder, describeGeneratedFields } from './builder.ts';
import './places.ts';
import './checkpoints.ts';
import './production.ts';
import './supplies.ts';
import './isolation.ts';
import './command.ts';
import './zone-summary.ts';
import './series.ts';
import './checkpoint-reporting.ts';
import './production-reporting.ts';
import './supply-allocation.ts';
import './command-work.ts';

export const schema = describeGeneratedFields(builder.toSchema({ sortSchema: true }));
export type { Context } from './context.ts';
export { assertTimeZone } from './zone-time.ts';
