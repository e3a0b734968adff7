// tripline's entry point for Fluent Bit's wasm filter (`function_name filter`).
// Signature and memory contract: ../shared DESIGN.md §1, reproduced by src/host.
import { PROGRAM, PROGRAM_LENGTH } from "./program/embedded";
import { load, process } from "./pipeline";
import "./runtime/abort";

load(PROGRAM, PROGRAM_LENGTH);

export function filter(tag: usize, tagLen: i32, sec: i32, nsec: i32, record: usize, recordLen: i32): usize {
  return process(tag, tagLen, sec, nsec, record, recordLen);
}
