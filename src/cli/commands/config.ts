// `tripline config`: prints the Fluent Bit configuration for the built module.
import { UsageError, type Parsed } from "../args.js";
import { str, flag } from "../options.js";
import { classicConfig, yamlConfig } from "../fluent-bit-config.js";
import { fleetConfig } from "../fleet-config.js";
import { PARSER_NAMES, type ParserName } from "../../logs/parsers.js";

export function cmdConfig(p: Parsed): number {
  const format = str(p, "format") ?? "classic";
  if (format !== "classic" && format !== "yaml") throw new UsageError(`--format is classic or yaml, not '${format}'`);
  const parser = str(p, "parser");
  if (parser && !PARSER_NAMES.includes(parser as ParserName)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  if (p.positional.length > 0) throw new UsageError(`'config' takes no arguments (got '${p.positional[0]}')`);
  const options = {
    wasm: str(p, "wasm") ?? "tripline.wasm",
    match: str(p, "match") ?? "logs.*",
    log: str(p, "log") ?? "/var/log/nginx/access.log",
    parser,
    alertField: "tripline_alert",
    fromHead: flag(p, "from-head"),
  };
  if (str(p, "role") !== undefined || str(p, "shards") !== undefined) process.stdout.write(fleetConfig(p, format, options));
  else process.stdout.write(format === "yaml" ? yamlConfig(options) : classicConfig(options));
  return 0;
}
