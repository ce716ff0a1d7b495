/** Structured logs: one JSON object per line on stderr, so stdout stays for command output. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: 'info' | 'debug' | 'silent' = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (lvl: string) => (message: string, fields: Record<string, unknown> = {}) => {
    if (level === 'silent' || (lvl === 'debug' && level !== 'debug')) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...fields })}\n`);
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error'), debug: emit('debug') };
}
