// `tripline config`: prints the Fluent Bit configuration for the built module.
// Everything Fluent Bit would reject, or accept and then do nothing useful
// with, is refused here in one line: a parser no parsers file defines, a
// Match the input's tag never meets, a Match that also catches the alert
// copies (rewrite_tag would feed them back: a loop).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UsageError, type Parsed } from "../args.js";
import { str, flag } from "../options.js";
import { classicConfig, yamlConfig, inputTag, tagMatches, parserNames, ISO_JSON_PARSER } from "../fluent-bit-config.js";
import { fleetConfig } from "../fleet-config.js";
import { PACKAGE_ROOT } from "../../compiler/module.js";

/** tripline's copy of Fluent Bit's stock parsers that its field mapping knows. */
export const BUNDLED_PARSERS = path.join(PACKAGE_ROOT, "examples", "fluent-bit", "parsers.conf");
/** The parsers tripline adds (tripline-json: JSON with ISO 8601 times), for classic configs, which cannot define parsers inline. */
export const TRIPLINE_PARSERS = path.join(PACKAGE_ROOT, "examples", "fluent-bit", "tripline-parsers.conf");
const TAG = /^[A-Za-z0-9._,-]+$/;
const MATCH = /^[A-Za-z0-9._,*-]+$/;
const ALERT_FIELD = "tripline_alert";

function parsersFile(p: Parsed, parser: string): string {
  const file = path.resolve(str(p, "parsers-file") ?? BUNDLED_PARSERS);
  if (!existsSync(file)) throw new UsageError(`parsers file '${file}' does not exist`);
  const names = parserNames(readFileSync(file, "utf8"));
  if (parser === "syslog" && !names.includes(parser)) {
    const stock = ["syslog-rfc3164", "syslog-rfc5424"].filter((n) => names.includes(n));
    throw new UsageError(`Fluent Bit has no parser 'syslog': use ${stock.join(" (BSD syslog: <13>Nov 20 10:00:00 host app: ...) or ") || "syslog-rfc3164 or syslog-rfc5424"}${stock.length ? " (RFC 5424: <13>1 2026-11-20T10:00:00Z host app ...)" : ""}, defined in ${file}, or no --parser: tripline reads raw syslog lines itself`);
  }
  if (!names.includes(parser)) throw new UsageError(`parser '${parser}' is not defined in ${file} (it defines ${names.join(", ")}); name another --parsers-file, or one of those`);
  return file;
}

export function cmdConfig(p: Parsed): number {
  const format = str(p, "format") ?? "classic";
  if (format !== "classic" && format !== "yaml") throw new UsageError(`--format is classic or yaml, not '${format}'`);
  if (p.positional.length > 0) throw new UsageError(`'config' takes no arguments (got '${p.positional[0]}')`);
  const match = str(p, "match") ?? "logs.*";
  if (!MATCH.test(match)) throw new UsageError(`--match '${match}' is not a Fluent Bit tag pattern: use A-Z a-z 0-9 . _ , - and * as the wildcard`);
  const tag = str(p, "tag") ?? inputTag(match);
  if (!TAG.test(tag)) throw new UsageError(`--tag '${tag}' is not a usable Fluent Bit tag: use A-Z a-z 0-9 . _ , -`);
  if (!tagMatches(match, tag)) throw new UsageError(`--match '${match}' never matches the input's tag '${tag}': the filter would see no record (give a --tag it matches, or a --match such as '${tag.split(".")[0]}.*')`);
  if (tagMatches(match, "alert.x") || tagMatches(match, `alert.${tag}`)) throw new UsageError(`--match '${match}' also matches the alert copies (tagged alert.<rule>): rewrite_tag would feed them back through the filter in a loop; choose a Match alert.* tags cannot meet, such as logs.*`);
  const fleet = str(p, "role") !== undefined || str(p, "shards") !== undefined;
  let parser = str(p, "parser");
  if (str(p, "parsers-file") !== undefined && !parser) throw new UsageError("--parsers-file is only used with --parser");
  // The stock json parser cannot read ISO 8601 times: without a parsers file of the user's,
  // tripline-json is used (YAML configs define it inline, classic ones name tripline's parsers file).
  const isoJson = parser === "json" && str(p, "parsers-file") === undefined;
  if (isoJson) parser = ISO_JSON_PARSER;
  const options = {
    wasm: str(p, "wasm") ?? "tripline.wasm",
    match,
    tag,
    log: str(p, "log") ?? "/var/log/nginx/access.log",
    parser,
    // Only a plain YAML config defines tripline-json inline; the others name tripline's parsers file.
    parsersFile: isoJson ? (format === "yaml" && !fleet ? undefined : TRIPLINE_PARSERS) : parser ? parsersFile(p, parser) : undefined,
    alertField: ALERT_FIELD,
    fromHead: flag(p, "from-head"),
  };
  if (fleet) process.stdout.write(fleetConfig(p, format, options));
  else process.stdout.write(format === "yaml" ? yamlConfig(options) : classicConfig(options));
  return 0;
}
