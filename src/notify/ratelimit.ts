// Per-rule rate limit: a token bucket per rule holding `count` tokens, refilled
// at count/period. A digest that lists a rule takes one of its tokens; a rule
// without a token is held back (its alerts stay in the digest being built and
// go out, merged, when a token is back). So a rule that fires all the time is
// mailed about at most `count` times at first, then once per period/count.

export interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

export type Buckets = Record<string, Bucket>;

export class RateLimit {
  constructor(
    readonly count: number,
    readonly periodMs: number,
    /** Plain data: the spool stores it with the digest being built. */
    readonly buckets: Buckets = {},
  ) {}

  private refreshed(rule: string, now: number): Bucket {
    const b = this.buckets[rule] ?? { tokens: this.count, at: now };
    const tokens = Math.min(this.count, b.tokens + (Math.max(0, now - b.at) * this.count) / this.periodMs);
    return { tokens, at: now };
  }

  /** Whether a digest may list `rule` now. Does not take the token. */
  allows(rule: string, now: number): boolean {
    return this.refreshed(rule, now).tokens >= 1 - 1e-9;
  }

  /** Takes one token for `rule` (call only when `allows`). */
  take(rule: string, now: number): void {
    const b = this.refreshed(rule, now);
    this.buckets[rule] = { tokens: Math.max(0, b.tokens - 1), at: now };
  }

  /** Milliseconds until `rule` has a token again (0 when it has one). */
  wait(rule: string, now: number): number {
    const b = this.refreshed(rule, now);
    return b.tokens >= 1 - 1e-9 ? 0 : Math.ceil(((1 - b.tokens) * this.periodMs) / this.count);
  }

  /** Drops buckets that are full again: nothing to remember about them. */
  prune(now: number): void {
    for (const rule of Object.keys(this.buckets)) if (this.refreshed(rule, now).tokens >= this.count) delete this.buckets[rule];
  }
}
