// Exponential backoff after failed deliveries: base, 2×base, 4×base, ...
// capped at max. Failures of one destination delay only that destination.

/** The wait after the `failures`-th failure in a row (1-based). */
export function backoff(failures: number, baseMs: number, maxMs: number): number {
  if (failures < 1) return 0;
  // 2 ** 40 and beyond would only overflow into the cap anyway.
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 40));
}
