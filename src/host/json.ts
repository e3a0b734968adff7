// The JSON text Fluent Bit hands the filter for a record body
// (flb_msgpack_to_json_str with json.escape_unicode on, the default):
// compact, `"` `\` and control characters escaped, DEL and every non-ASCII
// character as lowercase \uXXXX (surrogate pairs above U+FFFF).
export function fluentBitJson(body: unknown): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

// JSON's grammar (RFC 8259) for one object whose values are all scalars.
const SPACE = "[ \\t\\n\\r]*";
const STRING = '"(?:[^"\\\\\\x00-\\x1f]|\\\\["\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*"';
const NUMBER = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?";
const MEMBER = `${STRING}${SPACE}:${SPACE}(?:${STRING}|${NUMBER}|true|false|null)${SPACE}`;
const FLAT_OBJECT = new RegExp(`^${SPACE}\\{${SPACE}(?:${MEMBER}(?:,${SPACE}${MEMBER})*)?\\}${SPACE}$`);
/** Longer texts go to JSON.parse: the regex's backtracking stack grows with the text. */
const FLAT_OBJECT_MAX = 64 * 1024;

/**
 * True when `text` is certainly one JSON object with only scalar values (so
 * JSON.parse would give an object); false says nothing. Most records are
 * such objects, and this check costs about half of JSON.parse, so the host
 * parses their bodies only when someone reads them.
 */
export function isFlatJsonObject(text: string): boolean {
  return text.length <= FLAT_OBJECT_MAX && FLAT_OBJECT.test(text);
}
