/** A positive number from a command-line option, or the fallback when it is absent; refuses anything else. */
export function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return number;
}

/**
 * A benchmark's command line: `--flag N` options taking whole numbers ≥ 1 (named in `flags`, each to
 * its option), `--quick` (a smoke run: `quick`'s values for whatever is not set yet) and `--help`.
 */
export function parseCountFlags<T extends object>(argv: string[], usage: string, flags: Record<string, keyof T>, quick: Partial<T>): Partial<T> {
  const options: Partial<T> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--quick') {
      for (const key of Object.keys(quick) as (keyof T)[]) options[key] ??= quick[key];
    } else if (flag in flags) {
      const value = argv[++i];
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} takes a whole number ≥ 1, not ${value ?? '(nothing)'}\n${usage}`);
      options[flags[flag]!] = number as T[keyof T];
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  return options;
}
