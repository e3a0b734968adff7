// A field's value as the tests read it: a byte range, and the record key it
// came from. Passed between stages instead of module globals.
export class FieldValue {
  ptr: usize = 0;
  len: i32 = 0;
  /** The record key the value was read from, or -1. */
  key: i32 = -1;
}
