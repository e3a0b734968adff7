// Runs generated records through sessions of a target and collects the
// first failure of each kind. Shared by tests/fuzz.test.ts (fixed seeds,
// writes nothing) and tests/fuzz/run.ts (`npm run fuzz`: random seeds, saves
// failing inputs to tests/fuzz/regressions/ for a human to commit).
import { Rng } from "./rng.js";
import { RecordGenerator, type FuzzRecord } from "./generators.js";
import { Session, saveRegression, preview, type Failure, type Target } from "./harness.js";
import { Coverage } from "./oracle.js";

/** Records per module instance before a fresh one. */
export const SESSION = 250;

export interface FuzzOptions {
  seed: number;
  /** Save the first failure of each kind into the regression corpus. */
  save: boolean;
  /** Checks not to report (while a known bug is being fixed, to hunt for others). */
  ignore?: Set<string>;
  sessionLength?: number;
  maxKinds?: number;
}

export interface FuzzResult {
  failures: string[];
  coverage: Coverage;
  records: number;
}

/** The kind a failure is counted under: its check, and for alerts the correlation and field. */
export function failureKind(f: Failure): string {
  if (f.check !== "alert") return `${f.check} (${f.record.label.split("/")[0]})`;
  return `alert ${f.message.split(":").slice(0, 2).join(":").slice(0, 80)}`;
}

function describe(f: Failure, seed: number, index: number, saved: string): string {
  return [
    `${f.check}: ${f.message}`,
    `  seed ${seed} (rerun: FUZZ_SEED=${seed}), record #${index} [${f.record.label}] tag ${f.record.tag} time ${f.record.time.join(".")}`,
    `  input: ${preview(f.record.bytes, 600)}`,
    saved ? `  ${saved}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * Feeds `records` through sessions of the target. A fresh session (module
 * and oracle) starts every `sessionLength` records, after a failure, and
 * when the oracle has given up on a correlation (its alerts would only get
 * shape checks for the rest of the session).
 */
export function fuzz(target: Target, records: Iterable<FuzzRecord>, options: FuzzOptions): FuzzResult {
  const failures = new Map<string, string>();
  const coverage = new Coverage();
  const sessionLength = options.sessionLength ?? SESSION;
  let session = new Session(target);
  let inSession = 0;
  let index = 0;
  const restart = () => {
    coverage.merge(session.oracle.coverage);
    session = new Session(target);
    inSession = 0;
  };
  for (const rec of records) {
    if (inSession >= sessionLength || session.oracle.givenUp() > 0) restart();
    inSession++;
    const failure = session.run(rec);
    if (failure && !options.ignore?.has(failure.check)) {
      const kind = failureKind(failure);
      if (!failures.has(kind)) {
        const saved = options.save ? saveRegression(target, failure, [...session.history], options.seed) : "";
        failures.set(kind, describe(failure, options.seed, index, saved));
      }
      restart();
      if (failures.size >= (options.maxKinds ?? 12)) break;
    } else if (failure) restart();
    index++;
  }
  coverage.merge(session.oracle.coverage);
  return { failures: [...failures.values()], coverage, records: index };
}

export function* generated(seed: number, n: number): Generator<FuzzRecord> {
  const gen = new RecordGenerator(new Rng(seed));
  for (let i = 0; i < n; i++) yield gen.next();
}

/** Every prefix of a few small valid records (truncation at every position). */
export function prefixes(seed: number, records = 6): FuzzRecord[] {
  const gen = new RecordGenerator(new Rng(seed));
  const out: FuzzRecord[] = [];
  for (let k = 0; k < records; k++) out.push(...gen.everyPrefix());
  return out;
}
