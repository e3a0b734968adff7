// `npm run fuzz`: the fuzz harness with random seeds (or FUZZ_SEED), for as
// long as FUZZ_ITERATIONS says (default 20,000 per target). The first failing
// input of each kind is shrunk and saved into tests/fuzz/regressions/ (unless
// FUZZ_SAVE=0, or a case for that check is already there) for a human to
// look at and commit; `npm test` replays every saved case.
//
//   FUZZ_SEED=n        one seed for every target (default: a random one each)
//   FUZZ_ITERATIONS=n  records per target
//   FUZZ_TARGETS=a,b   fuzz, fuzz-small, release (default: all three)
//   FUZZ_IGNORE=a,b    checks not to report
//   FUZZ_SAVE=0        report only, write nothing
import { randomSeed } from "./rng.js";
import { targetNamed } from "./harness.js";
import { fuzz, generated } from "./driver.js";

const iterations = Number(process.env.FUZZ_ITERATIONS ?? 20000);
const targets = (process.env.FUZZ_TARGETS ?? "fuzz,fuzz-small,release").split(",").filter(Boolean);
const ignore = new Set((process.env.FUZZ_IGNORE ?? "").split(",").filter(Boolean));
const save = process.env.FUZZ_SAVE !== "0";
let failed = 0;
for (const name of targets) {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : randomSeed();
  const target = targetNamed(name);
  const n = name === "release" ? Math.ceil(iterations / 4) : iterations;
  const started = Date.now();
  const result = fuzz(target, generated(seed, n), { seed, save, ignore });
  console.log(`\n== ${name}: ${result.records} records, seed ${seed} (FUZZ_SEED=${seed} FUZZ_TARGETS=${name} replays it), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (target.exact) console.log(result.coverage.report());
  for (const f of result.failures) console.log(`\n${f}`);
  if (result.failures.length === 0) console.log("no failure");
  failed += result.failures.length;
}
console.log(`\n${failed} kind(s) of failure${save ? " (new ones saved under tests/fuzz/regressions/)" : ""}`);
process.exit(failed > 0 ? 1 : 0);
