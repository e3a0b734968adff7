// Sigma string values (contains / startswith / endswith / equals) to NFA.
//
// `*` matches any byte sequence, `?` exactly one byte; `\*` `\?` `\\` are a
// literal `*` `?` `\`, and a backslash before anything else is a literal
// backslash. Literal text is matched as its UTF-8 bytes.

import { byteMatcher, fullSet, utf8, type ByteSet } from "./bytes.js";
import type { Frag, Nfa } from "./nfa.js";
import type { PatternOp } from "./types.js";

export type SigmaItem = { kind: "bytes"; bytes: Uint8Array } | { kind: "any" } | { kind: "star" };

/** Splits a Sigma value into literal byte runs and wildcards. */
export function parseSigmaValue(value: string): SigmaItem[] {
  const items: SigmaItem[] = [];
  let text = "";
  const flush = (): void => {
    if (text !== "") items.push({ kind: "bytes", bytes: utf8(text) });
    text = "";
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\") {
      const nx = value[i + 1];
      if (nx === "*" || nx === "?" || nx === "\\") {
        text += nx;
        i++;
      } else {
        text += "\\";
      }
    } else if (ch === "*") {
      flush();
      if (items.length === 0 || items[items.length - 1].kind !== "star") items.push({ kind: "star" });
    } else if (ch === "?") {
      flush();
      items.push({ kind: "any" });
    } else {
      text += ch;
    }
  }
  flush();
  return items;
}

/** The fragment for one Sigma predicate, anchors included. */
export function sigmaFragment(nfa: Nfa, op: Exclude<PatternOp, "re">, value: string, cased: boolean): Frag {
  const any = fullSet();
  const first = nfa.node();
  let cur = first;
  const step = (set: ByteSet): void => {
    const n = nfa.node();
    nfa.char(cur, set, n);
    cur = n;
  };
  if (op === "startswith" || op === "equals") {
    const n = nfa.node();
    nfa.anchorStart(cur, n);
    cur = n;
  }
  for (const item of parseSigmaValue(value)) {
    if (item.kind === "bytes") {
      for (const b of item.bytes) step(byteMatcher(b, cased));
    } else if (item.kind === "any") {
      step(any);
    } else {
      // The nodes form a chain, so a self-loop here is exactly [^]*.
      nfa.char(cur, any, cur);
    }
  }
  if (op === "endswith" || op === "equals") {
    const n = nfa.node();
    nfa.anchorEnd(cur, n);
    cur = n;
  }
  return { in: first, out: cur };
}
