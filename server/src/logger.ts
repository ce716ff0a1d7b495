import { type DestinationStream, pino } from 'pino';
import { activeTraceId, requestScope } from './telemetry/tracing.ts';

/** Structured logs: one JSON object per line on stderr, so stdout stays for command output. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields that may carry a secret, wherever a caller puts them: never written. */
export const REDACTED_FIELDS = ['authorization', '*.authorization', 'headers.authorization', 'connectionParams', 'password', '*.password', 'secret', '*.secret'];

/**
 * pino underneath: `{"level":"warn","time":"…","msg":"…", …fields}` per line, levels by name, secrets
 * redacted. Written synchronously so nothing is lost when the process exits right after.
 */
export function createLogger(level: LogLevel = 'info', destination: DestinationStream = pino.destination({ dest: 2, sync: true })): Logger {
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
      // Lines written while serving a request say which (and, when traced, which trace).
      mixin() {
        const scope = requestScope.getStore();
        if (!scope) return {};
        const traceId = activeTraceId();
        return traceId ? { requestId: scope.requestId, traceId } : { requestId: scope.requestId };
      },
    },
    destination,
  );
  return {
    info: (message, fields = {}) => log.info(fields, message),
    warn: (message, fields = {}) => log.warn(fields, message),
    error: (message, fields = {}) => log.error(fields, message),
    debug: (message, fields = {}) => log.debug(fields, message),
  };
}
