// YAML rule files -> validated RuleSet. Every user mistake becomes a
// RuleError `file:line:col: message`; all of them are collected and thrown
// together as RuleErrors, sorted by file, line and column.
//
// THE RULE LANGUAGE (Sigma, with the choices tripline makes)
//
// Files and documents
// - A file holds one or more YAML 1.2 documents separated by `---`. Empty
//   documents are skipped. Every other document must be a map: a detection
//   rule, or a correlation rule when it has a `correlation:` key.
// - YAML errors are reported at the parser's position. Duplicate keys are an
//   error. Merge keys (`<<`) are not enabled. Aliases work, but at most 100
//   alias expansions per document (an "alias bomb" stops at the alias that
//   crosses the limit). Nesting deeper than 64 levels is an error.
// - At most 5000 rule documents over all files.
//
// Keys of every rule
// - title (required), id (required; any non-empty string, a UUID is
//   recommended; unique over all files), name (optional, unique). ids and
//   names share one namespace because correlations refer to rules by either.
// - level: informational | low | medium | high | critical (default medium).
// - status: stable | test | experimental | deprecated | unsupported.
// - description, tags (list of strings), and Sigma's descriptive keys
//   falsepositives, references, author, date, modified, license, related,
//   taxonomy, scope: checked for shape, otherwise ignored.
// - Any other key is an error (typo protection), except keys starting `x-`.
// - Detection rules may also have logsource, detection (required), fields
//   (Sigma's list of interesting fields, ignored) and tripline. Correlation
//   rules have correlation instead, and none of those four.
//
// logsource
// - product / service / category each map to a set of record formats
//   (table in src/compiler/fields/default-map.ts, extensible through the
//   field-map file); the sets of the keys given are intersected:
//     category webserver, proxy -> access  product apache, nginx -> access, error
//     category application -> json        product linux -> auth, syslog
//     service access -> access            product json -> json
//     service error -> error              service apache, nginx -> access, error
//     service sshd, auth -> auth          service syslog -> syslog
//   An unknown value is an error. No logsource (or none of the three keys)
//   means every format. `definition` is accepted and ignored.
// - tripline extension `tag`: a Fluent Bit tag glob or a list of them.
//
// Field names
// - Resolved through the field map to record-key candidates (first present
//   wins). An unknown name is an error with a suggestion, unless the rule's
//   logsource includes an open format (json): there any name is taken as the
//   record key itself, dotted paths included. A rule without logsource does
//   not count as json, so it keeps typo protection.
//
// detection
// - Named selections plus `condition`. `timeframe` (Sigma v1) is an error:
//   use a correlation rule.
// - A selection is a map (all fields match), a list of maps (any map
//   matches), or plain values / one plain value (keywords: any of them occurs,
//   case-insensitively, in the message, i.e. field `@message`, op contains).
//   A list mixing maps and values is an error. A key with modifiers but no
//   field name ('|all': [a, b]) is a keyword list: every value occurs with
//   `all`; only string tests (contains, the default, startswith, endswith,
//   re) and all/cased are allowed there.
// - A field's value is a scalar or a list (any value; every value with
//   `all`). `null` means the field is absent (exists: false); `field:` with
//   nothing after it, and an empty list, are errors.
// - Modifiers `field|m1|m2`: contains, startswith, endswith, re (+ i), cidr,
//   gt, gte, lt, lte, exists, all, cased. At most one of the tests (contains
//   .. exists). `i` must follow `re`; `m` and `s` are rejected. `cased` only
//   goes with equals/contains/startswith/endswith. windash, base64,
//   base64offset, utf16*, wide, expand, fieldref and the time modifiers are
//   "not supported by tripline"; anything else is an unknown modifier.
// - Strings are case-insensitive unless `cased`; `re` is case-sensitive unless
//   `re|i`. Values keep Sigma wildcards and escapes as written. Numbers and
//   booleans without a numeric modifier compare as the text written (404 ->
//   "404"). gt/gte/lt/lte need a YAML number. exists needs true/false. cidr
//   needs an IPv4/IPv6 CIDR; a bare address means /32 or /128 and the value
//   always carries the prefix. Regexes must compile as JS RegExp (plus
//   \b, \B and a leading (?i), see match/automaton.ts). Values are at most
//   32768 characters (limits.ts).
//
// condition
// - A string, or a list of strings (any of them). Operators and, or, not,
//   parentheses; precedence not > and > or. `1 of P` / `all of P` where P is
//   a name with `*` wildcards, or `them` (all selections not starting with
//   `_`). `any of`, `2 of`, and `|` aggregations are errors. Keywords are
//   lowercase. At most 4096 characters and 64 levels of parentheses/not.
// - A missing selection or a pattern matching nothing is reported at its
//   column inside the condition. Unused selections are fine.
//
// tripline block (detection rules)
// - action: tag (default) | drop | redact. redact: list of {field, kind},
//   kind card | password | bearer; required and non-empty for action redact,
//   and an error with any other action.
//
// correlation (Sigma correlation spec v2)
// - type: event_count | value_count | temporal | temporal_ordered, plus the
//   tripline types spike and anomaly.
// - rules: ids or names of detection rules (a string or a list). Unknown
//   names, correlations, and a rule listed twice are errors. temporal types
//   need at least two rules.
// - group-by: field names (a string or a list), resolved like detection
//   fields; a name is taken as-is if any referenced rule has a json
//   logsource. Optional for every type: without it one key covers the whole stream. A field that no
//   record of the referenced rules' formats can carry is a warning, not an
//   error (field-reach.ts).
// - timespan: required for every type. Whole number + s|m|h|d, > 0, <= 7d.
// - condition: a map with exactly one of gt/gte/lt/lte/eq (a non-negative
//   integer); ranges are not supported. value_count requires `field` in it;
//   other types must not have it. Required for event_count/value_count;
//   optional for temporal types (default gte <number of rules>); not allowed
//   for spike/anomaly (their IR condition mirrors min_count / min_samples as
//   gte, for the back end's convenience).
// - generate: true/false, default false (Sigma v2: referenced rules do not
//   alert on their own).
// - cooldown (tripline): a duration, 0 allowed; default = timespan.
// - spike (for type spike, optional): interval (duration, default =
//   timespan), baseline (intervals, integer 1..1000, default 10), factor
//   (> 0, default 3), min_count (integer >= 0, default 20).
// - anomaly (for type anomaly, required): field (required), zscore (> 0,
//   default 3), min_samples (integer >= 2, default 30).
// - `aliases` (Sigma) is not supported.

import type { CorrelationRule, DetectionRule, RuleSet, SourcePos } from "../ir.js";
import { DEFAULT_FIELD_MAP, type FieldMap } from "../fields/map.js";
import { buildCorrelation, type RuleRef } from "./correlation.js";
import { buildDetection } from "./detection.js";
import { COMMON_KEYS, readHeader, type Header } from "./header.js";
import { MAX_RULES } from "../limits.js";
import { buildLogsource } from "./logsource.js";
import { Problems } from "../yaml/problems.js";
import { asStringList, checkKeys, entry } from "../yaml/shape.js";
import { readTripline } from "./tripline-ext.js";
import { describe, type YDoc, type YMap } from "../yaml/yaml-positions.js";
import { readYamlFile } from "../yaml/tree-cache.js";

export interface SourceFile {
  path: string;
  text: string;
}

export interface LoadOptions {
  fieldMap?: FieldMap;
  /** Where parsed rule files are cached (default: the user's cache; see ../cache.ts). */
  cacheDir?: string;
}

const DETECTION_ONLY_KEYS = ["logsource", "detection", "fields", "tripline"];
const DETECTION_KEYS = [...COMMON_KEYS, ...DETECTION_ONLY_KEYS];
const CORRELATION_KEYS = [...COMMON_KEYS, "correlation"];

interface RuleDoc {
  map: YMap;
  pos: SourcePos;
  header: Header;
  isCorrelation: boolean;
  /** Detection rules: index into RuleSet.rules, and whether any record key is accepted. */
  index: number;
  anyKey: boolean;
}

export function loadRules(files: SourceFile[], options: LoadOptions = {}): RuleSet {
  const fieldMap = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const problems = new Problems();

  let docs: YDoc[] = [];
  for (const f of files) {
    const pos = { file: f.path, line: 1, col: 1 };
    docs.push(...(guard(pos, problems, () => readYamlFile(f, problems, options.cacheDir)) ?? []));
  }
  if (docs.length > MAX_RULES) {
    problems.add(docs[MAX_RULES].root.pos, `too many rules (limit ${MAX_RULES})`);
    docs = docs.slice(0, MAX_RULES);
  }

  // Pass 1: headers, so correlations can refer to rules in any file and order.
  const ruleDocs: RuleDoc[] = [];
  const names = new Map<string, { doc: RuleDoc; pos: SourcePos; what: "id" | "name" }>();
  const register = (doc: RuleDoc, key: string, pos: SourcePos, what: "id" | "name") => {
    const prev = names.get(key);
    if (prev === undefined) names.set(key, { doc, pos, what });
    else if (prev.doc !== doc) {
      const where = `${prev.pos.file}:${prev.pos.line}:${prev.pos.col}`;
      problems.add(
        pos,
        prev.what === what
          ? `duplicate ${what} '${key}' (first used at ${where})`
          : `${what} '${key}' is already the ${prev.what} of another rule (at ${where})`,
      );
    }
  };
  let detectionCount = 0;
  for (const doc of docs) {
    const root = doc.root;
    if (root.t !== "map") {
      problems.add(root.pos, `a rule must be a YAML map, not ${describe(root)}`);
      continue;
    }
    const rd = guard(root.pos, problems, () => readRuleDoc(root, problems, detectionCount));
    if (rd === undefined) continue;
    if (!rd.isCorrelation) detectionCount++;
    ruleDocs.push(rd);
    const { header } = rd;
    if (header.id !== undefined && header.idNode) register(rd, header.id, header.idNode.pos, "id");
    if (header.name !== undefined && header.nameNode) register(rd, header.name, header.nameNode.pos, "name");
  }

  // Pass 2: detection rules.
  const rules: DetectionRule[] = [];
  for (const rd of ruleDocs) {
    if (rd.isCorrelation) continue;
    const rule = guard(rd.pos, problems, () => buildDetectionRule(rd, fieldMap, problems));
    if (rule !== undefined) rules.push(rule);
  }

  // Pass 3: correlations.
  const correlations: CorrelationRule[] = [];
  const lookup = (name: string): RuleRef | undefined => {
    const hit = names.get(name);
    if (hit === undefined) return undefined;
    const d = hit.doc;
    return { kind: d.isCorrelation ? "correlation" : "rule", index: d.index, anyKey: d.anyKey };
  };
  for (const rd of ruleDocs) {
    if (!rd.isCorrelation) continue;
    const corrNode = entry(rd.map, "correlation")!.value;
    const c = guard(rd.pos, problems, () =>
      buildCorrelation(corrNode, rd.header, rd.pos, { fieldMap, problems, lookup, knownNames: () => names.keys() }),
    );
    if (c !== undefined) correlations.push(c);
  }

  problems.throwIfAny();
  return { rules, correlations };
}

/** Checks the top-level keys and reads the header of one rule document. */
function readRuleDoc(root: YMap, problems: Problems, nextIndex: number): RuleDoc {
  const isCorrelation = entry(root, "correlation") !== undefined;
  if (isCorrelation) {
    for (const e of root.entries) {
      if (DETECTION_ONLY_KEYS.includes(e.key)) problems.add(e.keyNode.pos, `'${e.key}' is not allowed in a correlation rule`);
    }
    const rest = root.entries.filter((e) => !DETECTION_ONLY_KEYS.includes(e.key));
    checkKeys({ ...root, entries: rest }, CORRELATION_KEYS, "", problems);
  } else {
    checkKeys(root, DETECTION_KEYS, "", problems);
  }
  const header = readHeader(root, problems);
  return { map: root, pos: root.pos, header, isCorrelation, index: isCorrelation ? -1 : nextIndex, anyKey: false };
}

function buildDetectionRule(rd: RuleDoc, fieldMap: FieldMap, problems: Problems): DetectionRule | undefined {
  const before = problems.count;
  const { map, header } = rd;
  const logsource = buildLogsource(entry(map, "logsource")?.value, fieldMap, problems);
  rd.anyKey = logsource !== undefined && logsource.formats.some((f) => fieldMap.openFormats.includes(f));
  const ext = readTripline(entry(map, "tripline")?.value, fieldMap, rd.anyKey, problems);
  const fields = entry(map, "fields");
  if (fields !== undefined) asStringList(fields.value, "fields", problems);
  const detectionEntry = entry(map, "detection");
  if (detectionEntry === undefined) problems.add(map.pos, "missing required key 'detection'");
  const condition =
    detectionEntry === undefined ? undefined : buildDetection(detectionEntry.value, { fieldMap, anyKey: rd.anyKey, problems });
  if (problems.count > before || logsource === undefined || ext === undefined || condition === undefined) return undefined;
  if (header.id === undefined || header.title === undefined) return undefined;
  return {
    id: header.id,
    ...(header.name !== undefined ? { name: header.name } : {}),
    title: header.title,
    level: header.level,
    tags: header.tags,
    ...(header.description !== undefined ? { description: header.description } : {}),
    logsource,
    condition,
    action: ext.action,
    redact: ext.redact,
    pos: rd.pos,
  };
}

/**
 * Runs one rule's checks. An unexpected exception (a bug, not a user error)
 * still becomes a positioned error, so a bad file never crashes the caller.
 */
function guard<T>(pos: SourcePos, problems: Problems, fn: () => T | undefined): T | undefined {
  try {
    return fn();
  } catch (e) {
    problems.add(pos, `internal error while checking this rule: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
