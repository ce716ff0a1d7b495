import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

const capture = () => {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
};

describe('logger', () => {
  it('writes one JSON object per line with the level by name, and respects the level', () => {
    const { lines, destination } = capture();
    const logger = createLogger('info', destination);
    logger.debug('not shown');
    logger.warn('rate limited', { token: 'display wall 1' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'rate limited', token: 'display wall 1' });
    expect(JSON.parse(lines[0]!).time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('never writes a secret, wherever it sits', () => {
    const { lines, destination } = capture();
    createLogger('info', destination).info('request', { authorization: 'Bearer fk_secret', headers: { authorization: 'Bearer fk_secret' }, connectionParams: { authorization: 'Bearer fk_secret' } });
    expect(lines.join('')).not.toContain('fk_secret');
    expect(JSON.parse(lines[0]!).headers.authorization).toBe('[redacted]');
  });
});
