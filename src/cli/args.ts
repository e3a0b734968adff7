// A small, strict argument parser: every subcommand declares its options, and
// anything else is a user mistake reported in one line.
export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value (`--out FILE`) or is a flag (`--json`). */
  value: boolean;
  short?: string;
  /** May be given more than once (values collected). */
  repeat?: boolean;
}

export interface Parsed {
  options: Record<string, string | string[] | boolean>;
  positional: string[];
}

export function parseArgs(argv: string[], specs: Record<string, OptionSpec>, command: string): Parsed {
  const options: Parsed["options"] = {};
  const positional: string[] = [];
  const byShort = new Map(Object.entries(specs).filter(([, s]) => s.short).map(([name, s]) => [s.short!, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1));
      if (!long) throw new UsageError(`unknown option '${arg}' for '${command}' (see tripline ${command} --help)`);
      name = long;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option '--${name}' for '${command}' (see tripline ${command} --help)`);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      options[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option '--${name}' needs a value`);
    if (spec.repeat) options[name] = [...((options[name] as string[]) ?? []), value];
    else options[name] = value;
  }
  return { options, positional };
}
