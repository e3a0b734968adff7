// Used through `--use abort=assembly/runtime/abort/onAbort`: AssemblyScript's
// default abort imports `env.abort`, and Fluent Bit links no imports. The filter
// is written so this is never reached; if it is, trapping is all that is left.
export function onAbort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}
