/**
 * How many physical screens the wall spans, from `?screens=`: 3 lays whole panels out on three
 * 1920 × 1080 screens side by side (multi-screen.css); anything else is one screen.
 */
export function screensFromAddress(search: string): 1 | 3 {
  return new URLSearchParams(search).get('screens')?.trim() === '3' ? 3 : 1;
}
