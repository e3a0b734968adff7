// Sigma time spans: a whole number and one unit letter, `30s`, `5m`, `1h`, `1d`.

import { MAX_TIMESPAN_SEC } from "../limits.js";
import type { Problems } from "../yaml/problems.js";
import { describe, scalarText, type YNode } from "../yaml/yaml-positions.js";

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, or undefined after reporting. `what` names the key in messages ("timespan", "cooldown"). */
export function parseDuration(node: YNode, what: string, problems: Problems, allowZero = false): number | undefined {
  const text = node.t === "scalar" ? scalarText(node)?.trim() : undefined;
  const m = text === undefined ? null : /^([0-9]+)([smhd])$/.exec(text);
  if (m === null) {
    problems.add(
      node.pos,
      `invalid ${what} ${text === undefined ? describe(node) : `'${text}'`} (use a whole number followed by s, m, h or d, e.g. 30s, 5m, 1h, 1d)`,
    );
    return undefined;
  }
  const sec = Number(m[1]) * UNIT_SEC[m[2]];
  if (sec === 0 && !allowZero) {
    problems.add(node.pos, `${what} must be greater than zero`);
    return undefined;
  }
  if (sec > MAX_TIMESPAN_SEC) {
    problems.add(node.pos, `${what} '${text}' is longer than the limit of 7d`);
    return undefined;
  }
  return sec;
}
