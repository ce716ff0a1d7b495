import { invalidArgument } from './errors.ts';

/**
 * An argument renamed to the schema's convention (`…Id`, `…Ids` for the ids of things): the old name
 * still works, deprecated; giving both is refused rather than silently preferring one.
 */
export function renamed<A extends object, N extends keyof A & string, O extends keyof A & string>(args: A, name: N, old: O): A[N] | A[O] {
  const now = args[name];
  const before = args[old];
  if (now != null && before != null) throw invalidArgument(old, `give ${name} or ${old} (deprecated), not both`);
  return now ?? before;
}
