import { parseDay } from '@fangkong/zone';
import { GraphQLScalarType, Kind } from 'graphql';
import { invalidArgument } from './errors.ts';

function invalid(name: string, value: unknown, reason: string): Error {
  return invalidArgument(name, `${JSON.stringify(value)} ${reason}`);
}

/** An instant, as an ISO 8601 string with offset on the wire. */
export const DateTimeResolver = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO 8601 string with a UTC offset, e.g. 2020-02-07T09:00:00+08:00 or 2020-02-07T01:00:00.000Z.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: (value) => parseInstant(value),
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseInstant(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw invalid('DateTime', value, 'is not an ISO 8601 date-time with an offset (e.g. 2020-02-07T09:00:00+08:00)');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid('DateTime', value, 'is not a real instant');
  // Before 1900 time zones ran on local mean time (Asia/Shanghai +08:05:43), which no day or bucket
  // of ours is meant to meet; refuse it as input rather than fail on the way out.
  if (date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 9999) throw invalid('DateTime', value, 'is outside the years 1900–9999');
  return date;
}

/** A calendar day in the zone's time zone. */
export const DateResolver = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar day, YYYY-MM-DD, read in the zone\'s time zone (FANGKONG_TZ).',
  serialize: (value) => String(value),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDate(value: unknown): string {
  if (typeof value !== 'string') throw invalid('Date', value, 'is not a YYYY-MM-DD string');
  if (!parseDay(value)) throw invalid('Date', value, 'is not a calendar date in the form YYYY-MM-DD');
  return value;
}

/** A position in the outbox of events. */
export const SeqResolver = new GraphQLScalarType<bigint, string>({
  name: 'Seq',
  description: 'A position in the outbox of events (a decimal string; 64-bit).',
  serialize: (value) => String(value),
  parseValue: (value) => parseSeq(value),
  parseLiteral: (ast) => parseSeq(ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : undefined),
});

function parseSeq(value: unknown): bigint {
  if ((typeof value !== 'string' && typeof value !== 'number') || !/^\d{1,19}$/.test(String(value))) {
    throw invalid('Seq', value, 'is not a non-negative decimal sequence number');
  }
  return BigInt(value);
}

/** A JSON object (output only): documents in another standard's own shape (DHIS2, FHIR), passed through whole. */
export const JSONObjectResolver = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object, in the shape of the standard the field names (output only).',
  serialize: (value) => value as Record<string, unknown>,
  parseValue: (value) => {
    throw invalid('JSONObject', value, 'is output only');
  },
  parseLiteral: () => {
    throw invalid('JSONObject', undefined, 'is output only');
  },
});
