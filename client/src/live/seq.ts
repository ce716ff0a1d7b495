// Outbox positions are 64-bit decimal strings: compare them as BigInt, never as numbers or text.

/** Nothing shown yet: any position is newer. */
export const NO_SEQ = -1n;

export function parseSeq(value: string | number | bigint): bigint {
  try {
    const seq = BigInt(value);
    return seq >= 0n ? seq : NO_SEQ;
  } catch {
    return NO_SEQ;
  }
}

/**
 * Whether a value at `incoming` may replace what is shown at `shown`. An equal position is taken:
 * the server recomputes at the same position when the local day rolls over, and a snapshot after a
 * reconnect may repeat the position already shown. Only an older position is ignored.
 */
export function isNotOlder(shown: bigint, incoming: bigint): boolean {
  return incoming >= shown;
}
