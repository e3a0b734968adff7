// A rule's logsource formats become a format mask: the module tells each
// record's formats by the keys it carries (assembly/record/record.ts) and
// skips the rules, and the automata, that a record's formats rule out.
import { FORMATS } from "../schema.js";
import { OPEN_FORMATS } from "../fields/default-map.js";

/** Every record: no format limit. */
export const ALL_FORMATS = 0xffffffff;

export function formatMask(formats: string[]): number {
  if (formats.length === 0 || formats.some((f) => OPEN_FORMATS.includes(f))) return ALL_FORMATS;
  let mask = 0;
  for (const f of formats) {
    const bit = (FORMATS as readonly string[]).indexOf(f);
    if (bit < 0) throw new Error(`the field map names an unknown record format '${f}' (known: ${FORMATS.join(", ")})`);
    mask |= 1 << bit;
  }
  return mask >>> 0;
}

/** The union of masks (ALL_FORMATS absorbs). */
export function unionMask(a: number, b: number): number {
  return a === ALL_FORMATS || b === ALL_FORMATS ? ALL_FORMATS : (a | b) >>> 0;
}
