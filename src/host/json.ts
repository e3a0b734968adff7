// The JSON text Fluent Bit hands the filter for a record body
// (flb_msgpack_to_json_str with json.escape_unicode on, the default):
// compact, `"` `\` and control characters escaped, DEL and every non-ASCII
// character as lowercase \uXXXX (surrogate pairs above U+FFFF).
export function fluentBitJson(body: unknown): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
