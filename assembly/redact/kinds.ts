// Redaction of sensitive values before the record leaves the host:
//   card     - 13 to 19 digit runs (spaces or dashes allowed between digits;
//              within a longer run, the longest such run of 3+ digit groups)
//              that start like a payment card (2 to 6: ISO/IEC 7812's major
//              industry identifiers of Mastercard, Amex, Diners, JCB, Visa,
//              Discover, UnionPay, Maestro) and pass the Luhn check keep
//              only their last four digits. Apache's thread ids (15 digits
//              from 1: "[pid 811:tid 140123104306940]") and other counters
//              that pass Luhn one time in ten are left alone;
//   password - the value after password= / passwd= / passphrase= / pwd= / "password":
//              (or "password" => as Ruby writes it) becomes *** (a quoted
//              value up to its closing quote, backslash-escaped quotes
//              inside it included; an unquoted one up to whitespace or one
//              of & ; , });
//   bearer   - the token after "Bearer " becomes ***.
// Masks have a fixed length, so the output does not leak the secret's length.
import { Bytes } from "../runtime/bytes";
import { RedactKind } from "../runtime/schema";
import { isDigit as isDigitCode, lowerAscii } from "../runtime/ascii";
import { startsWith } from "../runtime/span";

@inline function isDigit(c: u8): bool {
  return isDigitCode(<u32>c);
}

@inline function lower(c: u8): u8 {
  return <u8>lowerAscii(<u32>c);
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
    if (isCard(p, i, end, digits)) {
      maskCard(p, i, end, digits, out);
      i = end;
      continue;
    }
    // A card beside other numbers in one run ("4111 1111 1111 1111 12 28",
    // "charge 100 4111 1111 1111 1111", two cards one space apart): the
    // longest card from each group on, made of groups of 3 digits or more
    // (card groups have 4 to 6; short numbers next to each other are not cut
    // into cards).
    let g = i;
    let found = false;
    while (g < end && !found) {
      let k = g;
      let count = 0;
      let best = -1;
      let bestDigits = 0;
      while (k < end) {
        const from = k;
        while (k < end && isDigit(load<u8>(p + <usize>k))) k++;
        if (k - from < 3) break;
        count += k - from;
        if (count > 19) break;
        if (isCard(p, g, k, count)) {
          best = k;
          bestDigits = count;
        }
        k++; // the separator
      }
      if (best > 0) {
        out.copy(p + <usize>i, g - i);
        maskCard(p, g, best, bestDigits, out);
        i = best;
        found = true;
      } else {
        while (g < end && isDigit(load<u8>(p + <usize>g))) g++;
        g++; // the next group
      }
    }
    if (!found) {
      out.copy(p + <usize>i, end - i);
      i = end;
    }
  }
}

/** 13 to 19 digits from `from` to `to` (separators between), starting like a card, passing Luhn. */
function isCard(p: usize, from: i32, to: i32, digits: i32): bool {
  const first = <i32>load<u8>(p + <usize>from) - 0x30;
  return digits >= 13 && digits <= 19 && first >= 2 && first <= 6 && luhn(p, from, to);
}

/** Copies the card with every digit but the last four as '*'. */
function maskCard(p: usize, from: i32, to: i32, digits: i32, out: Bytes): void {
  let seen = 0;
  for (let k = from; k < to; k++) {
    const d = load<u8>(p + <usize>k);
    if (isDigit(d)) {
      seen++;
      out.byte(seen > digits - 4 ? d : 0x2a);
    } else {
      out.byte(d);
    }
  }
}

@inline function isBlank(c: u8): bool {
  return c == 0x20 || c == 0x09;
}

function isQuote(c: u8): bool {
  return c == 0x22 || c == 0x27;
}

/** Where an unquoted secret ends: whitespace, a URL or list separator, or a closing bracket. */
function isDelimiter(c: u8): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x26 || c == 0x3b || c == 0x2c || c == 0x7d || isQuote(c);
}

/**
 * Copies the value, replacing the secret after each of `words` with ***.
 * With `separators`, a secret follows `=` or `:` (after optional quotes and
 * spaces): "password":"a b c" and password='a b' mask up to the closing
 * quote, password=abc up to a delimiter.
 */
function redactAfter(p: usize, len: i32, out: Bytes, words: string[], casedWords: string[], separators: bool): void {
  let i = 0;
  while (i < len) {
    // No word boundary is required: "db_password=" and "userpassword=" are secrets too.
    let word = "";
    for (let w = 0; w < words.length && word.length == 0; w++) if (matchesAt(p, len, i, words[w])) word = words[w];
    for (let w = 0; w < casedWords.length && word.length == 0; w++) if (startsWith(p, len, i, casedWords[w])) word = casedWords[w];
    if (word.length == 0) {
      out.byte(load<u8>(p + <usize>i));
      i++;
      continue;
    }
    let j = i + word.length;
    if (separators) {
      let k = j;
      while (k < len && (isQuote(load<u8>(p + <usize>k)) || isBlank(load<u8>(p + <usize>k)))) k++;
      if (k >= len || (load<u8>(p + <usize>k) != 0x3d && load<u8>(p + <usize>k) != 0x3a)) {
        out.copy(p + <usize>i, j - i);
        i = j;
        continue;
      }
      k++;
      if (k < len && load<u8>(p + <usize>(k - 1)) == 0x3d && load<u8>(p + <usize>k) == 0x3e) k++; // =>
      j = k;
    }
    // Blanks before the secret (`password:\tx`, `Bearer  x`) are kept.
    while (j < len && isBlank(load<u8>(p + <usize>j))) j++;
    out.copy(p + <usize>i, j - i);
    let end = j;
    if (j < len && isQuote(load<u8>(p + <usize>j))) {
      // A quoted secret: keep the quotes, mask everything up to the closing one.
      const quote = load<u8>(p + <usize>j);
      end = j + 1;
      while (end < len && load<u8>(p + <usize>end) != quote) end += load<u8>(p + <usize>end) == 0x5c && end + 1 < len ? 2 : 1; // \" inside stays inside
      out.byte(quote);
      if (end > j + 1) out.ascii("***");
      if (end < len) {
        out.byte(quote);
        end++;
      }
    } else {
      while (end < len && !isDelimiter(load<u8>(p + <usize>end))) end++;
      if (end > j) out.ascii("***");
    }
    i = end;
  }
}

const PASSWORD_WORDS: string[] = ["password", "passwd", "passphrase"];
// "pwd" only in lower case (?pwd=...): sudo logs PWD=/home/alice on every
// command. In a URL field (`url`) any case: PWD= there is a parameter.
const CASED_PASSWORD_WORDS: string[] = ["pwd"];
const URL_PASSWORD_WORDS: string[] = ["password", "passwd", "passphrase", "pwd"];
const NONE: string[] = [];

const BEARER_WORDS: string[] = ["bearer "];

export function redact(kind: u32, p: usize, len: i32, out: Bytes, url: bool = false): void {
  if (kind == RedactKind.Card) redactCards(p, len, out);
  else if (kind == RedactKind.Password) redactAfter(p, len, out, url ? URL_PASSWORD_WORDS : PASSWORD_WORDS, url ? NONE : CASED_PASSWORD_WORDS, true);
  else redactAfter(p, len, out, BEARER_WORDS, NONE, false);
}
