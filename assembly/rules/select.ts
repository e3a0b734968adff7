// Stage 4: rules. The rules worth evaluating are those a fired predicate
// wakes (plus the few that can hold with none: `not x`); each is checked
// against its format and Fluent Bit tag limits, then its condition.
import { Action } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { sortIds } from "../runtime/sort";
import { sameBytes } from "../runtime/span";
import { Record } from "../record/record";
import { Fired } from "../match/fired";
import { Rule, evaluate } from "./rule";
import { globMatches } from "./tag-glob";

/** The rules a record matched, in rule-file order. */
export class Matches {
  ids: StaticArray<i32>;
  count: i32 = 0;
  /** Matched rules that are not silent (generate: false). */
  visible: i32 = 0;
  drop: bool = false;
  redact: bool = false;

  constructor(rules: i32) {
    this.ids = new StaticArray<i32>(rules);
  }

  /** Drops the k-th matched rule (a redaction rule that masked nothing). */
  @inline removeAt(k: i32): void {
    for (let j = k + 1; j < this.count; j++) unchecked((this.ids[j - 1] = this.ids[j]));
    this.count--;
  }
}

export class RuleSelector {
  private stamps: StaticArray<u32>;
  private stamp: u32 = 0;
  private candidates: StaticArray<i32>;
  private lastTag: Bytes = new Bytes(64);
  private tagAllowed: StaticArray<bool>;
  private anyGlobs: bool = false;

  constructor(
    public rules: StaticArray<Rule>,
    /** For each predicate, the rules it wakes. */
    public wakes: StaticArray<StaticArray<i32>>,
    /** Rules evaluated on every record. */
    public always: StaticArray<i32>,
  ) {
    const n = rules.length;
    this.stamps = new StaticArray<u32>(n);
    this.candidates = new StaticArray<i32>(n);
    this.tagAllowed = new StaticArray<bool>(n);
    for (let r = 0; r < n; r++) if (rules[r].globs.length > 0) this.anyGlobs = true;
    this.lastTag.length = -1; // the first tag is always matched against the globs
  }

  select(tag: usize, tagLen: i32, record: Record, fired: Fired, out: Matches): void {
    out.count = 0;
    out.visible = 0;
    out.drop = false;
    out.redact = false;
    if (this.anyGlobs) this.refreshTag(tag, tagLen);
    const count = this.collect(fired);
    const formats = record.formats;
    const rules = this.rules;
    for (let k = 0; k < count; k++) {
      const r = unchecked(this.candidates[k]);
      const rule = unchecked(rules[r]);
      if ((rule.formats & formats) == 0 && rule.formats != 0xffffffff) continue;
      if (this.anyGlobs && !unchecked(this.tagAllowed[r])) continue;
      if (!rule.anyTrigger && !evaluate(rule, fired)) continue;
      if (rule.action == Action.Drop) out.drop = true;
      else if (rule.action == Action.Redact) out.redact = true;
      if (!rule.silent) out.visible++;
      unchecked((out.ids[out.count++] = r));
    }
    sortIds(out.ids, out.count);
  }

  /** The rules a fired predicate wakes, plus the always-rules, each once. */
  private collect(fired: Fired): i32 {
    const stamp = ++this.stamp;
    let count = 0;
    for (let f = 0; f < fired.count; f++) {
      const list = unchecked(this.wakes[unchecked(fired.list[f])]);
      for (let k = 0, length = list.length; k < length; k++) {
        const r = unchecked(list[k]);
        if (unchecked(this.stamps[r]) == stamp) continue;
        unchecked((this.stamps[r] = stamp));
        unchecked((this.candidates[count++] = r));
      }
    }
    const always = this.always;
    for (let k = 0, length = always.length; k < length; k++) {
      const r = unchecked(always[k]);
      if (unchecked(this.stamps[r]) == stamp) continue;
      unchecked((this.stamps[r] = stamp));
      unchecked((this.candidates[count++] = r));
    }
    return count;
  }

  /** Re-evaluates which rules the tag allows, only when the tag changes. */
  private refreshTag(tag: usize, tagLen: i32): void {
    const last = this.lastTag;
    if (last.length == tagLen && sameBytes(last.ptr, tag, tagLen)) return;
    last.reset();
    last.copy(tag, tagLen);
    const rules = this.rules;
    for (let r = 0; r < rules.length; r++) {
      const globs = unchecked(rules[r]).globs;
      let ok = globs.length == 0;
      for (let g = 0; g < globs.length && !ok; g++) ok = globMatches(unchecked(globs[g]), tag, tagLen);
      unchecked((this.tagAllowed[r] = ok));
    }
  }
}
