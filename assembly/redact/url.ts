// Masking a URL field (path, query, referer, stem). A secret there may be
// URL-encoded: a browser sends a card typed with spaces as
// "card=4111+1111+1111+1111", and "pass%77ord=x" hides the word. The value
// is masked as logged, then decoded and masked again; when decoding showed
// more to mask, the field is written back decoded, masked and re-encoded
// (its other escapes normalized), so no encoded form of the secret is left.
import { Bytes } from "../runtime/bytes";
import { sameBytes } from "../runtime/span";
import { needsUrlDecode, urlDecode } from "../fields/urldecode";
import { redact } from "./kinds";

/** Bytes a URL keeps as they are: letters, digits, - . _ ~ and the delimiters that give it its shape. */
function keepsLiteral(c: u32): bool {
  if ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return true;
  return c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e || c == 0x21 || c == 0x24 || c == 0x26 || c == 0x27 || c == 0x28 || c == 0x29 || c == 0x2a || c == 0x2c || c == 0x3b || c == 0x3d || c == 0x3a || c == 0x40 || c == 0x2f || c == 0x3f || c == 0x23;
}

function urlEncode(p: usize, len: i32, out: Bytes): void {
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (keepsLiteral(c)) {
      out.byte(c);
    } else {
      out.byte(0x25);
      out.hex(c);
    }
  }
}

export class UrlMasker {
  private asLogged: Bytes = new Bytes(256);
  private decoded: Bytes = new Bytes(256);
  private masked: Bytes = new Bytes(256);

  /** Appends the URL value at `p` with `kind` masked, as logged and URL-decoded, to `out`. */
  mask(kind: u32, p: usize, len: i32, out: Bytes): void {
    const asLogged = this.asLogged;
    asLogged.reset();
    redact(kind, p, len, asLogged, true);
    if (!needsUrlDecode(asLogged.ptr, asLogged.length)) {
      out.copy(asLogged.ptr, asLogged.length);
      return;
    }
    const decoded = this.decoded;
    urlDecode(asLogged.ptr, asLogged.length, decoded);
    const masked = this.masked;
    masked.reset();
    redact(kind, decoded.ptr, decoded.length, masked, true);
    if (masked.length == decoded.length && sameBytes(masked.ptr, decoded.ptr, decoded.length)) out.copy(asLogged.ptr, asLogged.length);
    else urlEncode(masked.ptr, masked.length, out);
  }
}
