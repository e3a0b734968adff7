// Correlation rules: state per group key over event-time windows.
import { Reader } from "../program/reader";

export class Correlation {}

export function readCorrelations(r: Reader, ruleCount: i32): Correlation[] {
  const list = new Array<Correlation>(0);
  const n = <i32>r.u16();
  for (let k = 0; k < n; k++) list.push(new Correlation());
  return list;
}
