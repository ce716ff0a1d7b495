import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from './args.ts';

describe('command line', () => {
  const url = ['--url', 'http://127.0.0.1:4000/graphql'];
  it('takes the token from the environment when not given', () => {
    const options = parseCommandLine([...url, '--rate', '2.5'], { FANGKONG_TOKEN: ' fk_op ' });
    expect(options).toMatchObject({ help: false, token: 'fk_op', rate: 2.5 });
  });
  it('refuses what cannot run, saying why', () => {
    expect(() => parseCommandLine(['--token', 't'], {})).toThrow(/--url is required/);
    expect(() => parseCommandLine(url, {})).toThrow(/--token \(or FANGKONG_TOKEN\) is required/);
    expect(() => parseCommandLine([...url, '--token', 't', '--concurrency', '2.5'], {})).toThrow(/whole number/);
    expect(() => parseCommandLine([...url, '--token', 't', '--duplicates', '2'], {})).toThrow(/from 0 to 1/);
    expect(() => parseCommandLine([...url, '--nope'], {})).toThrow(UsageError);
  });
  it('answers --help without asking for anything else', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ help: true });
  });
});
