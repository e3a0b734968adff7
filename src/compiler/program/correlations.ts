// Correlation section of the program. Written by the correlation issue's
// encoder; for now the module reads the count only.
import type { RuleSet } from "../ir.js";
import type { ByteWriter } from "./writer.js";

export interface CorrelationSlots {
  groupBy: number[];
  value: number;
  anomaly: number;
}

export function writeCorrelations(w: ByteWriter, set: RuleSet, slots: CorrelationSlots[], tagIndex: Map<string, number>): void {
  w.u16(0);
}
