// The notifier: accepted alerts go into the digest being built (on disk before
// the batch is answered); when its window closes, the rules the rate limit
// allows become one digest, written to the outbox once per destination; each
// destination delivers its digests in order, backing off after failures.
// Nothing is dropped: undelivered digests stay in the outbox across restarts,
// and alerts held back by the rate limit stay in the digest being built.
import type { Clock } from "./clock.js";
import { addAlerts, addStats, emptyDigest, isEmpty, splitDigest, type Digest } from "./digest.js";
import type { Channel } from "./delivery/channel.js";
import type { Logger } from "./log.js";
import { RateLimit } from "./ratelimit.js";
import type { Batch } from "./records.js";
import { backoff } from "./retry.js";
import type { Job, PendingState, Spool } from "./spool.js";

export interface NotifierOptions {
  digestMs: number;
  rateLimit: { count: number; periodMs: number };
  maxKeysPerRule: number;
  includeStats: boolean;
  /** Undelivered digests on disk beyond which batches are refused with 503. */
  maxSpool: number;
  retry: { baseMs: number; maxMs: number };
}

/** The notifier cannot take a batch now; the sender should retry (HTTP 503). */
export class Busy extends Error {}

interface Worker {
  channel: Channel;
  jobs: Job[];
  failures: number;
  nextAttempt: number;
  sending: Promise<void> | null;
  timer: unknown;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

export class Notifier {
  private pending: PendingState = { version: 1, digest: emptyDigest(), buckets: {}, seq: 0 };
  private readonly workers = new Map<string, Worker>();
  private orphans: Job[] = [];
  private windowTimer: unknown = null;
  private windowDue: number | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  readonly counts = { batches: 0, records: 0, alerts: 0, stats: 0, ignored: 0, rejected: 0, digests: 0, delivered: 0, failed: 0, partial: 0 };

  constructor(
    private readonly options: NotifierOptions,
    private readonly spool: Spool,
    channels: Channel[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    for (const channel of channels) this.workers.set(channel.id, { channel, jobs: [], failures: 0, nextAttempt: 0, sending: null, timer: null });
  }

  /** Reads the spool and resumes: the open digest's window, and delivery of every spooled digest. */
  async start(): Promise<void> {
    const report = (m: string) => this.log.error(m);
    const state = await this.spool.loadPending(report);
    if (state) this.pending = state;
    for (const job of await this.spool.loadJobs(report)) {
      const worker = this.workers.get(job.channel);
      if (worker) worker.jobs.push(job);
      else this.orphans.push(job);
      this.pending.seq = Math.max(this.pending.seq, Number(/-(\d+)-/.exec(job.id)?.[1] ?? 0));
    }
    const spooled = this.spooled();
    if (spooled > 0 || !isEmpty(this.pending.digest)) this.log.info(`spool ${this.spool.dir}: ${this.pending.digest.alerts} alert(s) in the open digest, ${spooled} digest(s) awaiting delivery`);
    if (this.orphans.length > 0) {
      const names = [...new Set(this.orphans.map((j) => j.channel))].join(", ");
      this.log.warn(`${this.orphans.length} spooled digest(s) are for destinations no longer configured (${names}); they stay in ${this.spool.outbox} and are not sent anywhere else`);
    }
    this.scheduleWindow();
    for (const w of this.workers.values()) this.kick(w);
  }

  /** Runs state changes one after another, in arrival order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  spooled(): number {
    let n = this.orphans.length;
    for (const w of this.workers.values()) n += w.jobs.length;
    return n;
  }

  /**
   * Takes a batch. Resolves once it is on disk (then the sender may be told
   * 2xx); rejects with Busy when the spool is full or notify is stopping, or
   * with the file system's error when the spool cannot be written.
   */
  accept(batch: Batch): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) throw new Busy("notify is shutting down");
      const spooled = this.spooled();
      if (spooled >= this.options.maxSpool) throw new Busy(`${spooled} undelivered digests are spooled (--max-spool ${this.options.maxSpool}); retry later`);
      const takeStats = this.options.includeStats && batch.stats.length > 0;
      if (batch.alerts.length > 0 || takeStats) {
        const now = this.clock.now();
        const next = structuredClone(this.pending);
        addAlerts(next.digest, batch.alerts, this.options.maxKeysPerRule, now);
        if (takeStats) addStats(next.digest, batch.stats, now);
        await this.spool.savePending(next);
        this.pending = next;
      }
      const c = this.counts;
      c.batches++;
      c.records += batch.records;
      c.alerts += batch.alerts.length;
      c.stats += batch.stats.length;
      c.ignored += batch.ignored;
      this.scheduleWindow();
    });
  }

  private scheduleWindow(at?: number): void {
    if (this.stopped || isEmpty(this.pending.digest)) return;
    const due = at ?? (this.pending.digest.opened ?? this.clock.now()) + this.options.digestMs;
    if (this.windowDue !== null && this.windowDue <= due) return;
    if (this.windowTimer !== null) this.clock.clearTimeout(this.windowTimer);
    this.windowDue = due;
    this.windowTimer = this.clock.setTimeout(() => {
      this.windowTimer = null;
      this.windowDue = null;
      void this.closeWindow();
    }, Math.max(0, due - this.clock.now()));
  }

  /** Closes the open digest: what the rate limit allows goes to the outbox, the rest stays. */
  private closeWindow(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped || isEmpty(this.pending.digest)) return;
      const now = this.clock.now();
      const limiter = new RateLimit(this.options.rateLimit.count, this.options.rateLimit.periodMs, structuredClone(this.pending.buckets));
      const deferred: string[] = [];
      const { out, kept } = splitDigest(
        this.pending.digest,
        (rule) => {
          if (!limiter.allows(rule, now)) {
            deferred.push(rule);
            return false;
          }
          limiter.take(rule, now);
          return true;
        },
        now,
      );
      limiter.prune(now);
      const next: PendingState = { version: 1, digest: kept, buckets: limiter.buckets, seq: this.pending.seq };
      const jobs: Job[] = [];
      let digest: Digest | undefined;
      if (!isEmpty(out)) {
        next.seq++;
        digest = { ...out, id: `${now.toString(36)}-${next.seq}`, closed: now, deferred };
        for (const w of this.workers.values()) jobs.push({ id: `${String(now).padStart(13, "0")}-${String(next.seq).padStart(6, "0")}-${w.channel.id}`, channel: w.channel.id, digest, attempts: 0, created: now });
      }
      try {
        for (const job of jobs) await this.spool.writeJob(job);
        await this.spool.savePending(next);
      } catch (err) {
        for (const job of jobs) await this.spool.removeJob(job).catch(() => undefined);
        const wait = this.options.retry.baseMs;
        this.log.error(`cannot write the digest to the spool ${this.spool.dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; it stays open, next try in ${formatMs(wait)}`);
        this.scheduleWindow(now + wait);
        return;
      }
      this.pending = next;
      if (digest) {
        this.counts.digests++;
        const rules = digest.rules.map((r) => `${r.rule} ×${r.alerts}`).join(", ");
        this.log.info(
          `digest ${digest.id}: ${digest.alerts} alert(s)${rules ? ` (${rules})` : ""}${digest.stats.length ? `, ${digest.stats.length} statistics record(s)` : ""} for ${[...this.workers.values()].map((w) => w.channel.label).join(", ")}`,
        );
        for (const job of jobs) this.workers.get(job.channel)!.jobs.push(job);
      }
      if (deferred.length > 0) {
        const waits = deferred.map((r) => limiter.wait(r, now));
        this.log.info(`rate limit (${this.options.rateLimit.count} per ${formatMs(this.options.rateLimit.periodMs)} per rule): holding back ${deferred.join(", ")}; their alerts stay queued and follow, merged, in ${formatMs(Math.min(...waits))} or later`);
        this.scheduleWindow(now + Math.max(this.options.digestMs, Math.min(...waits)));
      }
      for (const w of this.workers.values()) this.kick(w);
    });
  }

  private kick(w: Worker): void {
    if (this.stopped || w.sending || w.jobs.length === 0) return;
    const now = this.clock.now();
    if (now < w.nextAttempt) {
      if (w.timer === null)
        w.timer = this.clock.setTimeout(() => {
          w.timer = null;
          this.kick(w);
        }, w.nextAttempt - now);
      return;
    }
    w.sending = this.deliver(w).finally(() => {
      w.sending = null;
      this.kick(w);
    });
  }

  private async deliver(w: Worker): Promise<void> {
    const job = w.jobs[0];
    let outcome: void | { warning: string };
    try {
      outcome = await w.channel.send(job.digest);
    } catch (err) {
      w.failures++;
      job.attempts++;
      job.lastError = (err as Error).message;
      this.counts.failed++;
      const wait = backoff(w.failures, this.options.retry.baseMs, this.options.retry.maxMs);
      w.nextAttempt = this.clock.now() + wait;
      await this.spool.writeJob(job).catch(() => undefined); // the attempt count on disk is informative only
      this.log.warn(`delivery of digest ${job.digest.id} to ${w.channel.label} failed (attempt ${job.attempts}): ${job.lastError}; next try in ${formatMs(wait)}; ${this.spooled()} digest(s) spooled`);
      return;
    }
    w.failures = 0;
    w.nextAttempt = 0;
    w.jobs.shift();
    this.counts.delivered++;
    try {
      await this.spool.removeJob(job);
    } catch (err) {
      this.log.error(`delivered digest ${job.digest.id} but cannot remove it from the spool (${(err as Error).message}): it may be sent again after a restart`);
    }
    this.log.info(`delivered digest ${job.digest.id} to ${w.channel.label}${job.attempts ? ` after ${job.attempts} failed attempt(s)` : ""}; ${this.spooled()} digest(s) spooled`);
    if (outcome) {
      this.counts.partial++;
      this.log.error(`digest ${job.digest.id} to ${w.channel.label}: ${outcome.warning}`);
    }
  }

  /** Resolves when nothing is being written or sent right now (for tests and shutdown). */
  async settled(): Promise<void> {
    for (;;) {
      const chain = this.chain;
      await chain;
      const sending = [...this.workers.values()].map((w) => w.sending).filter((s): s is Promise<void> => s !== null);
      if (sending.length === 0 && chain === this.chain) return;
      await Promise.allSettled(sending);
    }
  }

  health(): Record<string, unknown> {
    const c = this.counts;
    return {
      status: "ok",
      queued: this.pending.digest.alerts,
      spooled: this.spooled(),
      delivered: c.delivered,
      failed: c.failed,
      rejected: c.rejected,
      accepted: { batches: c.batches, records: c.records, alerts: c.alerts },
      stats: c.stats,
      ignored: c.ignored,
      digests: c.digests,
      partial: c.partial,
      destinations: [...this.workers.values()].map((w) => ({
        id: w.channel.id,
        spooled: w.jobs.length,
        failures: w.failures,
        ...(w.failures > 0 ? { nextAttempt: new Date(w.nextAttempt).toISOString() } : {}),
      })),
      ...(this.orphans.length > 0 ? { orphaned: this.orphans.length } : {}),
    };
  }

  /** Stops timers and waits (at most `graceMs`) for writes and sends under way. What is spooled stays spooled. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.windowTimer !== null) this.clock.clearTimeout(this.windowTimer);
    for (const w of this.workers.values()) if (w.timer !== null) this.clock.clearTimeout(w.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const w of this.workers.values()) w.channel.close?.();
  }
}
