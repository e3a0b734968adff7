// The `tripline` command: one file per subcommand in commands/. User
// mistakes end in one line on stderr and exit code 2 (usage) or 1 (bad
// rules, failed suites); never a stack trace.
import { readFileSync } from "node:fs";
import { parseArgs, UsageError, type OptionSpec } from "./args.js";
import { HELP } from "./help.js";
import { COMPILE_SPECS, BUILD_SPECS, TEST_SPECS, CONFIG_SPECS, EXPLAIN_SPECS } from "./specs.js";
import { RuleError, RuleErrors } from "../compiler/ir.js";

const HELP_SPEC = { help: { value: false, short: "h" } };

type Run = (p: ReturnType<typeof parseArgs>) => number | Promise<number>;

// Commands are loaded when run: `tripline --help` need not load the compiler.
const COMMANDS: Record<string, { specs: Record<string, OptionSpec>; run: () => Promise<Run> }> = {
  build: { specs: { ...BUILD_SPECS, ...COMPILE_SPECS, ...HELP_SPEC }, run: async () => (await import("./commands/build.js")).cmdBuild },
  check: { specs: { ...COMPILE_SPECS, ...HELP_SPEC }, run: async () => (await import("./commands/build.js")).cmdCheck },
  explain: { specs: { ...EXPLAIN_SPECS, ...COMPILE_SPECS, ...HELP_SPEC }, run: async () => (await import("./commands/explain.js")).cmdExplain },
  config: { specs: { ...CONFIG_SPECS, ...HELP_SPEC }, run: async () => (await import("./commands/config.js")).cmdConfig },
  test: {
    specs: { ...TEST_SPECS, ...COMPILE_SPECS, ...HELP_SPEC },
    run: async () => {
      const [{ cmdTest }, { cmdSuites }] = await Promise.all([import("./commands/test.js"), import("./commands/suites.js")]);
      return (p) => (p.options.suite !== undefined ? cmdSuites(p) : cmdTest(p));
    },
  },
};

const PACKAGE_JSON = new URL("../../../package.json", import.meta.url);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP.main);
    return command ? 0 : 2;
  }
  // notify is a long-running service with its own options (src/notify/command.ts).
  if (command === "notify") return (await import("../notify/command.js")).notifyCommand(rest);
  if (command === "--version" || command === "-v") {
    console.log(JSON.parse(readFileSync(PACKAGE_JSON, "utf8")).version);
    return 0;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command '${command}' (expected ${[...Object.keys(COMMANDS), "notify"].join(", ")}; see tripline --help)`);
  const parsed = parseArgs(rest, spec.specs, command);
  if (parsed.options.help) {
    console.log(HELP[command]);
    return 0;
  }
  return (await spec.run())(parsed);
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`tripline: ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof RuleErrors || err instanceof RuleError) {
      console.error(err.message);
      process.exitCode = 1;
    } else if ((err as NodeJS.ErrnoException).code === "EACCES" || (err as NodeJS.ErrnoException).code === "EISDIR") {
      console.error(`tripline: ${(err as Error).message}`);
      process.exitCode = 2;
    } else {
      console.error(`tripline: internal error: ${(err as Error).message} (please report it with the command you ran)`);
      process.exitCode = 70;
    }
  }
}
