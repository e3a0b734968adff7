// A rule's logsource formats become part of its condition: a format is
// recognised by the keys its records carry. Records of Fluent Bit's stock
// parsers and of tripline's own raw-line parsing both carry these keys.
import type { Condition, SourcePos } from "../ir.js";

const FORMAT_KEYS: Record<string, string[]> = {
  access: ["path", "request", "url", "uri", "cs-uri-stem"],
  auth: ["ident", "program", "auth_result", "SYSLOG_IDENTIFIER"],
  syslog: ["ident", "program", "pri", "SYSLOG_IDENTIFIER"],
};

export function formatCondition(formats: string[], pos: SourcePos): Condition | null {
  if (formats.length === 0) return null;
  const alternatives: Condition[] = [];
  for (const format of formats) {
    const keys = FORMAT_KEYS[format];
    if (!keys) return null; // a format with no signature (json, any) admits every record
    for (const key of keys) alternatives.push({ k: "pred", pred: { kind: "exists", fields: [key], value: true, pos } });
  }
  return { k: "or", args: alternatives };
}
