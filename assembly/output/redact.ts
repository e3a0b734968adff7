// Redaction of sensitive values before the record leaves the host:
//   card     - 13 to 19 digit runs (spaces or dashes allowed between digits)
//              that pass the Luhn check keep only their last four digits;
//   password - the value after password= / passwd= / pwd= / "password": becomes ***;
//   bearer   - the token after "Bearer " becomes ***.
// Masks have a fixed length, so the output does not leak the secret's length.
import { Bytes } from "../runtime/bytes";

export const enum RedactKind {
  Card = 0,
  Password = 1,
  Bearer = 2,
}

@inline function isDigit(c: u8): bool {
  return <u32>c - 0x30 < 10;
}

@inline function lower(c: u8): u8 {
  return <u32>c - 0x41 < 26 ? c | 0x20 : c;
}

function matchesAt(p: usize, len: i32, at: i32, word: string): bool {
  const n = word.length;
  if (at + n > len) return false;
  for (let k = 0; k < n; k++) if (lower(load<u8>(p + <usize>(at + k))) != <u8>word.charCodeAt(k)) return false;
  return true;
}

function luhn(p: usize, from: i32, to: i32): bool {
  let sum = 0;
  let double = false;
  for (let i = to - 1; i >= from; i--) {
    const c = load<u8>(p + <usize>i);
    if (!isDigit(c)) continue;
    let d = <i32>c - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 == 0;
}

function redactCards(p: usize, len: i32, out: Bytes): void {
  let i = 0;
  while (i < len) {
    const c = load<u8>(p + <usize>i);
    if (!isDigit(c) || (i > 0 && isDigit(load<u8>(p + <usize>(i - 1))))) {
      out.byte(c);
      i++;
      continue;
    }
    // A run of digits with single separators between them.
    let end = i;
    let digits = 0;
    let j = i;
    while (j < len) {
      const d = load<u8>(p + <usize>j);
      if (isDigit(d)) {
        digits++;
        j++;
        end = j;
      } else if ((d == 0x20 || d == 0x2d) && j + 1 < len && isDigit(load<u8>(p + <usize>(j + 1))) && j > i) {
        j++;
      } else {
        break;
      }
    }
    if (digits >= 13 && digits <= 19 && luhn(p, i, end)) {
      let seen = 0;
      for (let k = i; k < end; k++) {
        const d = load<u8>(p + <usize>k);
        if (isDigit(d)) {
          seen++;
          out.byte(seen > digits - 4 ? d : 0x2a);
        } else {
          out.byte(d);
        }
      }
    } else {
      out.copy(p + <usize>i, end - i);
    }
    i = end;
  }
}

/** Copies the value, replacing what follows each `prefix` (up to a delimiter) with ***. */
function redactAfter(p: usize, len: i32, out: Bytes, words: string[], separators: bool): void {
  let i = 0;
  while (i < len) {
    let matched = -1;
    for (let w = 0; w < words.length && matched < 0; w++) if (matchesAt(p, len, i, words[w])) matched = w;
    if (matched < 0) {
      out.byte(load<u8>(p + <usize>i));
      i++;
      continue;
    }
    let j = i + words[matched].length;
    out.copy(p + <usize>i, j - i);
    if (separators) {
      // password=..., password: ..., "password":"..."
      let k = j;
      while (k < len && (load<u8>(p + <usize>k) == 0x22 || load<u8>(p + <usize>k) == 0x27 || load<u8>(p + <usize>k) == 0x20)) k++;
      if (k >= len || (load<u8>(p + <usize>k) != 0x3d && load<u8>(p + <usize>k) != 0x3a)) {
        i = j;
        continue;
      }
      k++;
      while (k < len && (load<u8>(p + <usize>k) == 0x20 || load<u8>(p + <usize>k) == 0x22 || load<u8>(p + <usize>k) == 0x27)) k++;
      out.copy(p + <usize>j, k - j);
      j = k;
    }
    let end = j;
    while (end < len) {
      const c = load<u8>(p + <usize>end);
      if (c == 0x20 || c == 0x26 || c == 0x22 || c == 0x27 || c == 0x3b || c == 0x2c || c == 0x7d || c == 0x0a) break;
      end++;
    }
    if (end > j) out.ascii("***");
    i = end;
  }
}

const PASSWORD_WORDS: string[] = ["password", "passwd", "pwd"];
const BEARER_WORDS: string[] = ["bearer "];

export function redact(kind: i32, p: usize, len: i32, out: Bytes): void {
  if (kind == RedactKind.Card) redactCards(p, len, out);
  else if (kind == RedactKind.Password) redactAfter(p, len, out, PASSWORD_WORDS, true);
  else redactAfter(p, len, out, BEARER_WORDS, false);
}
