// Runs the real Fluent Bit on a file: tail (read_from_head, exit_on_eof) ->
// apache2 parser -> [one filter] -> output, and measures the process CPU time
// (user + sys) with /usr/bin/time, or with the children's rusage from /proc
// when /usr/bin/time is missing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";

export const APACHE2_PARSER = `[PARSER]
    Name   apache2
    Format regex
    Regex  ^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<method>\\S+)(?: +(?<path>[^ ]*) +\\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\\"]*)" "(?<agent>.*)")?$
    Time_Key time
    Time_Format %d/%b/%Y:%H:%M:%S %z
`;

export type Filter =
  | { kind: "none" }
  | { kind: "wasm"; path: string }
  | { kind: "lua"; script: string; call: string }
  | { kind: "grep"; regex: [string, string][]; logicalOp: "or" | "and" };

export interface FbConfig {
  input: string;
  filter: Filter;
  /** "null", or a file path for format=plain JSON lines. */
  output: "null" | { file: string };
}

function filterSection(f: Filter): string {
  switch (f.kind) {
    case "none":
      return "";
    case "wasm":
      return `[FILTER]
    Name            wasm
    Match           web.*
    Wasm_Path       ${f.path}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K
`;
    case "lua":
      // type_array_key: an empty Lua table would otherwise leave as {} where the module writes [].
      return `[FILTER]
    Name           lua
    Match          web.*
    script         ${f.script}
    call           ${f.call}
    type_array_key tags
`;
    case "grep":
      return `[FILTER]
    Name       grep
    Match      web.*
    Logical_Op ${f.logicalOp}
${f.regex.map(([k, r]) => `    Regex      ${k} ${r}`).join("\n")}
`;
  }
}

export function configText(c: FbConfig, parsersFile: string): string {
  const output =
    c.output === "null"
      ? `[OUTPUT]
    Name  null
    Match *
`
      : `[OUTPUT]
    Name   file
    Match  *
    Path   ${path.dirname(c.output.file)}
    File   ${path.basename(c.output.file)}
    Format plain
`;
  return `[SERVICE]
    Flush        1
    Grace        1
    Log_Level    warn
    Parsers_File ${parsersFile}

[INPUT]
    Name            tail
    Path            ${c.input}
    Tag             web.access
    Read_From_Head  true
    Exit_On_Eof     true
    Parser          apache2

${filterSection(c.filter)}
${output}`;
}

export interface FbRun {
  cpu: number;
  user: number;
  sys: number;
  wall: number;
  status: number | null;
  stderr: string;
}

const TIME = "/usr/bin/time";

export function hasTime(): boolean {
  return existsSync(TIME);
}

/** Runs fluent-bit -c <config> in `dir` and returns its CPU seconds. */
export function runTimed(bin: string, dir: string, name: string, config: string, timeoutMs = 600_000): FbRun {
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, `${name}.conf`);
  writeFileSync(conf, config);
  const t0 = performance.now();
  if (hasTime()) {
    const timeFile = path.join(dir, `${name}.time`);
    const r = spawnSync(TIME, ["-o", timeFile, "-f", "%U %S", bin, "-c", conf], { cwd: dir, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    const wall = (performance.now() - t0) / 1000;
    const [user, sys] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    return { cpu: user + sys, user, sys, wall, status: r.status, stderr: (r.stderr ?? "") + (r.stdout ?? "") };
  }
  // Without /usr/bin/time: a shell reports its children's times (`times`) after the run.
  const r = spawnSync("/bin/sh", ["-c", `"$0" -c "$1" >/dev/null 2>"$2"; times`, bin, conf, path.join(dir, `${name}.stderr`)], { cwd: dir, encoding: "utf8", timeout: timeoutMs });
  const wall = (performance.now() - t0) / 1000;
  const lines = (r.stdout ?? "").trim().split("\n");
  const child = lines[lines.length - 1].trim().split(/\s+/).map((x) => {
    const m = /(\d+)m([\d.]+)s/.exec(x);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  });
  const stderr = existsSync(path.join(dir, `${name}.stderr`)) ? readFileSync(path.join(dir, `${name}.stderr`), "utf8") : "";
  return { cpu: child[0] + child[1], user: child[0], sys: child[1], wall, status: r.status, stderr };
}

/** Fluent Bit errors that mean the filter lost records or was not loaded. */
export function filterErrors(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => /\[error\]|Got exception|invalid JSON|failed to|cannot|could not|\[ warn\].*wasm/i.test(l))
    .slice(0, 5);
}

export function fluentBitVersion(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return ((r.stdout ?? "") + (r.stderr ?? "")).split("\n")[0].trim();
}
