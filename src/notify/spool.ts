// The spool: what notify has accepted and not yet delivered, on disk.
//   pending.json      the digest being built (and the rate-limit buckets);
//                     rewritten before a batch is answered 2xx
//   outbox/*.json     closed digests, one file per destination, deleted once delivered
//   corrupt/          files that could not be read back, kept for a person to look at
//   lock              the pid of the notify that owns the spool
// Every write goes to a temporary file, is synced, then renamed over the old
// one, so a crash leaves either the old or the new content, never half.
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Digest, DigestState } from "./digest.js";
import type { Buckets } from "./ratelimit.js";

export interface Job {
  id: string;
  /** The destination, by its configured name (smtp, webhook-1, slack-1): never taken from a record. */
  channel: string;
  digest: Digest;
  attempts: number;
  created: number;
  lastError?: string;
}

export interface PendingState {
  version: 1;
  digest: DigestState;
  buckets: Buckets;
  seq: number;
}

export class SpoolError extends Error {}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class Spool {
  readonly outbox: string;
  readonly corrupt: string;
  private readonly lockFile: string;
  private locked = false;

  private constructor(readonly dir: string) {
    this.outbox = path.join(dir, "outbox");
    this.corrupt = path.join(dir, "corrupt");
    this.lockFile = path.join(dir, "lock");
  }

  /** Creates the folders and takes the lock; SpoolError when another notify holds it or the folder is unusable. */
  static async open(dir: string): Promise<Spool> {
    const spool = new Spool(dir);
    try {
      await mkdir(spool.outbox, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new SpoolError(`cannot create the spool '${dir}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    await spool.lock();
    return spool;
  }

  private async lock(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(this.lockFile, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new SpoolError(`cannot lock the spool '${this.dir}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      let pid = NaN;
      try {
        pid = Number(readFileSync(this.lockFile, "utf8").trim());
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new SpoolError(`the spool '${this.dir}' is in use by process ${pid} (another tripline notify?); give each instance its own --spool`);
      await rm(this.lockFile, { force: true }); // stale: its process is gone
    }
    throw new SpoolError(`cannot lock the spool '${this.dir}'`);
  }

  async close(): Promise<void> {
    if (this.locked) await rm(this.lockFile, { force: true });
    this.locked = false;
  }

  private async quarantine(file: string): Promise<string> {
    await mkdir(this.corrupt, { recursive: true, mode: 0o700 });
    const target = path.join(this.corrupt, `${path.basename(file)}.${Date.now()}`);
    await rename(file, target);
    return target;
  }

  /** The digest being built, or undefined when there is none. A file that cannot be read is moved to corrupt/ and reported. */
  async loadPending(report: (message: string) => void): Promise<PendingState | undefined> {
    const file = path.join(this.dir, "pending.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new SpoolError(`cannot read '${file}': ${(err as NodeJS.ErrnoException).code}`);
    }
    try {
      const state = JSON.parse(text) as PendingState;
      if (state.version !== 1 || typeof state.digest !== "object" || !Array.isArray(state.digest.rules)) throw new Error("not a pending digest");
      return state;
    } catch (err) {
      report(`'${file}' is not readable (${(err as Error).message}); moved to ${await this.quarantine(file)}`);
      return undefined;
    }
  }

  async savePending(state: PendingState): Promise<void> {
    await writeAtomic(path.join(this.dir, "pending.json"), JSON.stringify(state));
  }

  /** Every job in the outbox, oldest first. Unreadable files are moved to corrupt/ and reported. */
  async loadJobs(report: (message: string) => void): Promise<Job[]> {
    const names = (await readdir(this.outbox)).filter((n) => n.endsWith(".json")).sort();
    const jobs: Job[] = [];
    for (const name of names) {
      const file = path.join(this.outbox, name);
      try {
        const job = JSON.parse(await readFile(file, "utf8")) as Job;
        if (typeof job.id !== "string" || typeof job.channel !== "string" || typeof job.digest !== "object") throw new Error("not a delivery job");
        jobs.push(job);
      } catch (err) {
        report(`'${file}' is not readable (${(err as Error).message}); moved to ${await this.quarantine(file)}`);
      }
    }
    return jobs;
  }

  async writeJob(job: Job): Promise<void> {
    await writeAtomic(path.join(this.outbox, `${job.id}.json`), JSON.stringify(job));
  }

  async removeJob(job: Job): Promise<void> {
    await rm(path.join(this.outbox, `${job.id}.json`), { force: true });
  }
}
