// JSON as RFC 8259 defines it, at the byte level, for the oracle: whether a
// record is one object, where its top-level members are, and what a string
// token decodes to. Written from the RFC (and SEMANTICS.md: bytes >= 0x80
// inside strings are taken as they are; lone surrogate escapes become
// U+FFFD), not from the module's scanner.

/** Decodes like the host: invalid UTF-8 becomes U+FFFD, a BOM is kept. */
export const lenientText = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
const utf8 = new TextEncoder();

/** Bytes as a string of char codes 0-255 (one char per byte). */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A JS string as its UTF-8 bytes, one char per byte. */
export function utf8Latin1(s: string): string {
  return latin1(utf8.encode(s));
}

/** Bytes (one char per byte) as text the way the host shows them (invalid UTF-8 -> U+FFFD). */
export function shown(bytes: string): string {
  return lenientText.decode(fromLatin1(bytes));
}

/** The input as JSON.parse sees it: a plain object, or null. */
export function parseObject(bytes: Uint8Array): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(lenientText.decode(bytes));
  } catch {
    return null;
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export type ValueKind = "string" | "number" | "true" | "false" | "null" | "object" | "array";

export interface TopMember {
  /** Raw key bytes between the quotes (one char per byte). */
  rawKey: string;
  /** The key decoded (escapes resolved), one char per byte. */
  key: string;
  keyEscaped: boolean;
  /** Offset of the key's opening quote. */
  keyStart: number;
  valueStart: number;
  /** Exclusive. */
  valueEnd: number;
  kind: ValueKind;
  valueEscaped: boolean;
}

export interface Parsed {
  members: TopMember[];
  /** Offset of the closing brace. */
  closeAt: number;
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function stringEnd(b: Uint8Array, i: number): [number, boolean] {
  let escaped = false;
  i++;
  while (b[i] !== 0x22) {
    if (b[i] === 0x5c) {
      escaped = true;
      i += 2;
    } else i++;
  }
  return [i + 1, escaped];
}

/** End of the value at `i` (iterative: nesting may be 10,000 deep). Only for bytes JSON.parse accepted. */
function valueEnd(b: Uint8Array, i: number): number {
  let depth = 0;
  for (;;) {
    const c = b[i];
    if (c === 0x22) i = stringEnd(b, i)[0];
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (depth > 0) i++;
    else {
      while (i < b.length && !isWs(b[i]) && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d) i++;
      return i;
    }
    if (depth === 0) return i;
  }
}

function kindAt(c: number): ValueKind {
  if (c === 0x22) return "string";
  if (c === 0x7b) return "object";
  if (c === 0x5b) return "array";
  if (c === 0x74) return "true";
  if (c === 0x66) return "false";
  if (c === 0x6e) return "null";
  return "number";
}

/** Top-level members of bytes that parseObject accepted. */
export function scanTop(b: Uint8Array): Parsed {
  const members: TopMember[] = [];
  let i = 0;
  const skip = () => {
    while (isWs(b[i])) i++;
  };
  skip();
  i++; // {
  skip();
  while (b[i] !== 0x7d) {
    if (b[i] === 0x2c) {
      i++;
      skip();
    }
    const keyStart = i;
    const [keyEnd, keyEscaped] = stringEnd(b, i);
    i = keyEnd;
    skip();
    i++; // :
    skip();
    const valueStart = i;
    const kind = kindAt(b[i]);
    let valueEscaped = false;
    if (kind === "string") [i, valueEscaped] = stringEnd(b, i);
    else i = valueEnd(b, i);
    const rawKey = latin1(b.subarray(keyStart + 1, keyEnd - 1));
    const key = keyEscaped ? decodeString(b, keyStart + 1, keyEnd - 1) : rawKey;
    members.push({ rawKey, key, keyEscaped, keyStart, valueStart, valueEnd: i, kind, valueEscaped });
    skip();
  }
  return { members, closeAt: i };
}

const hexAt = (b: Uint8Array, at: number) => parseInt(String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]), 16);

/** The bytes a JSON string body [start, end) stands for (one char per byte). */
export function decodeString(b: Uint8Array, start: number, end: number): string {
  let out = "";
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const e = b[i + 1];
    i += 2;
    if (e === 0x75) {
      let cp = hexAt(b, i);
      i += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const low = i + 6 <= end && b[i] === 0x5c && b[i + 1] === 0x75 ? hexAt(b, i + 2) : -1;
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i += 6;
        } else cp = 0xfffd;
      } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;
      out += utf8Latin1(String.fromCodePoint(cp));
    } else {
      const simple: Record<number, string> = { 0x6e: "\n", 0x74: "\t", 0x72: "\r", 0x62: "\b", 0x66: "\f" };
      out += simple[e] ?? String.fromCharCode(e);
    }
  }
  return out;
}

/** A member's value as the rules read it: strings decoded, anything else its JSON text. */
export function memberText(b: Uint8Array, m: TopMember): string {
  if (m.kind === "string") return m.valueEscaped ? decodeString(b, m.valueStart + 1, m.valueEnd - 1) : latin1(b.subarray(m.valueStart + 1, m.valueEnd - 1));
  return latin1(b.subarray(m.valueStart, m.valueEnd));
}
