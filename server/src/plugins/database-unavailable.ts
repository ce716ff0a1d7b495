import { ErrorCode } from '@fangkong/zone';
import { isDatabaseUnavailable } from '@fangkong/prisma';
import { GraphQLError } from 'graphql';
import type { Logger } from '../logger.ts';

/** What a client is told to wait before retrying while the database does not answer. */
export const RETRY_AFTER_SECONDS = 2;

/** How often an ongoing outage is logged: once per interval, with how many requests it refused. */
const LOG_INTERVAL_MS = 5000;

/**
 * 503 DATABASE_UNAVAILABLE with a Retry-After header (Yoga turns `extensions.http` into the status
 * and headers): retryable as it is, since nothing was done. Over WebSocket and SSE it is that
 * operation's error; the connection stays open.
 */
export function databaseUnavailable(): GraphQLError {
  return new GraphQLError(MESSAGE, { extensions: extensions() });
}

/**
 * The same answer made of a resolver's error object, kept rather than replaced: Yoga writes every
 * error the mask replaces to the log at level error, and Prisma's text (which can quote the
 * statement's arguments) has no place there; the outage is logged once per interval instead.
 */
export function asDatabaseUnavailable(error: GraphQLError): GraphQLError {
  error.message = MESSAGE;
  const own = error.extensions as Record<string, unknown>;
  for (const key of Object.keys(own)) delete own[key];
  Object.assign(own, extensions());
  return error;
}

const MESSAGE = 'the database does not answer now; nothing was done, retry shortly';
const extensions = () => ({ code: ErrorCode.DatabaseUnavailable, http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } } });

/** The same answer in parts, for refusals built before GraphQL runs (authentication). */
export const databaseUnavailableAnswer = () => ({ message: MESSAGE, code: ErrorCode.DatabaseUnavailable, status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });

/**
 * Recognises the errors of an unavailable database and logs the outage without a line per request:
 * the first refusal, then one line per interval with the count (the cause in a line, no stack).
 */
export function databaseOutageLog(logger: Logger) {
  let refused = 0;
  let loggedAt = 0;
  return (error: unknown): boolean => {
    if (!isDatabaseUnavailable(error)) return false;
    refused++;
    const now = Date.now();
    if (now - loggedAt >= LOG_INTERVAL_MS) {
      logger.warn('database unavailable: answering 503', { refused, cause: lastLine(error) });
      loggedAt = now;
      refused = 0;
    }
    return true;
  };
}

/** The cause in one line: Prisma's message opens with where it was called and ends with what happened. */
function lastLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').findLast((line) => line.trim())?.trim().slice(0, 200) ?? 'unknown';
}
