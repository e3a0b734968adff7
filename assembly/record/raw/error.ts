// Apache and nginx error logs:
//   [Wed Oct 11 14:32:52.123456 2026] [auth_basic:error] [pid 35708:tid 43] [client 192.0.2.7:52311] AH01617: user alice: authentication failure for "/private": Password Mismatch
//   [Wed Oct 11 14:32:52 2026] [error] [client 192.0.2.7] client denied by server configuration: /srv/www/x
//   2026/11/20 10:00:00 [error] 812#812: *7 user "alice" was not found in "/etc/nginx/.htpasswd", client: 192.0.2.7, server: example.com, request: "GET /private HTTP/1.1", host: "example.com"
// Fills client_ip, level (as written: "auth_basic:error"), module, error_code,
// message, user, and from nginx's trailer method, path, protocol and vhost.
//
// Where the address comes from is anchored: Apache's [client ...] is only
// read among the bracketed groups before the message, nginx's ", client: "
// only in the trailer after it (the last one; a request line cannot hold
// the blanks it contains), so a URL cannot inject another address.
import { Field } from "../../runtime/schema";
import { CharCode, isBlank, isDigit } from "../../runtime/ascii";
import { startsWith, indexOf } from "../../runtime/span";
import { FieldSink, word } from "../sink";
import { tokenEnd, skipBlanks, byteEnd, lastIndexOf } from "./text";
import { apacheErrorTime, nginxErrorTime, NO_TIME } from "./time";

const ERROR = word("error");

/** Parses an Apache or nginx error line into `out`; false when it is neither. */
export function parseErrorLine(p: usize, len: i32, out: FieldSink): bool {
  if (len > 0 && load<u8>(p) == CharCode.OpenBracket) return parseApache(p, len, out);
  if (len > 20 && isDigit(<u32>load<u8>(p)) && load<u8>(p + 4) == CharCode.Slash) return parseNginx(p, len, out);
  return false;
}

function parseApache(p: usize, len: i32, out: FieldSink): bool {
  const time = apacheErrorTime(p, len, 1);
  if (time == NO_TIME) return false;
  const at = skipBlanks(p, len, byteEnd(p, len, 1, CharCode.CloseBracket) + 1);
  if (!parseApacheBody(p, len, at, out)) return false;
  out.time = time;
  return true;
}

/**
 * What follows Apache's time: "[module:level] [pid ..] [client ..] message".
 * Also the message of an Apache error line sent through syslog
 * ("httpd[22034]: [authz_core:error] [pid 22034] [client 192.0.2.1:58585] AH01630: ...").
 */
export function parseApacheBody(p: usize, len: i32, at: i32, out: FieldSink): bool {
  if (at >= len || load<u8>(p + <usize>at) != CharCode.OpenBracket) return false;
  const levelAt = at + 1;
  const levelEnd = byteEnd(p, len, levelAt, CharCode.CloseBracket);
  if (levelEnd >= len) return false;
  out.constant(Field.Format, ERROR);
  setLevel(p + <usize>levelAt, levelEnd - levelAt, out);
  at = skipBlanks(p, len, levelEnd + 1);
  // [pid 1:tid 2] [client 1.2.3.4:5] [remote ...]: only these leading groups.
  while (at < len && load<u8>(p + <usize>at) == CharCode.OpenBracket) {
    // "[client [2001:db8::1]:443]": a bracketed IPv6 address closes before its group does.
    const inner = startsWith(p, len, at + 1, "client [") ? byteEnd(p, len, at + 9, CharCode.CloseBracket) + 1 : at;
    const groupEnd = byteEnd(p, len, inner, CharCode.CloseBracket);
    if (groupEnd >= len) break;
    if (startsWith(p, groupEnd, at + 1, "client ")) setClient(p + <usize>(at + 8), groupEnd - at - 8, out);
    at = skipBlanks(p, len, groupEnd + 1);
  }
  setApacheMessage(p + <usize>at, len - at, out);
  return true;
}

/** `level` as written, and the module before its colon ("auth_basic:error"). */
function setLevel(p: usize, len: i32, out: FieldSink): void {
  out.set(Field.Level, p, len);
  for (let i = 0; i < len; i++) {
    if (load<u8>(p + <usize>i) == CharCode.Colon) {
      out.set(Field.Module, p, i);
      return;
    }
  }
}

/** "192.0.2.7:52311", "192.0.2.7", "[2001:db8::1]:443", "2001:db8::1": the address without its port. */
export function setClient(p: usize, len: i32, out: FieldSink): void {
  while (len > 0 && isBlank(<u32>load<u8>(p + <usize>(len - 1)))) len--;
  if (len <= 0) return;
  if (load<u8>(p) == CharCode.OpenBracket) {
    const close = byteEnd(p, len, 0, CharCode.CloseBracket);
    out.set(Field.ClientIp, p + 1, close - 1);
    return;
  }
  let colons = 0;
  let last = -1;
  for (let i = 0; i < len; i++) {
    if (load<u8>(p + <usize>i) == CharCode.Colon) {
      colons++;
      last = i;
    }
  }
  // One colon: IPv4 (or a name) with a port. More: IPv6, whose last group may be a port only with brackets.
  out.set(Field.ClientIp, p, colons == 1 ? last : len);
}

/**
 * The message after the bracketed groups: an optional "AH01617: " code, and
 * the user of Basic/Digest authentication failures:
 *   user alice: authentication failure for "/private": Password Mismatch
 *   user alice not found: /private
 *   Digest: user "alice": password mismatch: /private
 */
export function setApacheMessage(p: usize, len: i32, out: FieldSink): void {
  out.set(Field.Message, p, len);
  let at = 0;
  if (len >= 9 && load<u8>(p) == 0x41 && load<u8>(p + 1) == 0x48 && isDigit(<u32>load<u8>(p + 2))) {
    const codeEnd = byteEnd(p, len, 0, CharCode.Colon);
    if (codeEnd < len) {
      out.set(Field.ErrorCode, p, codeEnd);
      at = skipBlanks(p, len, codeEnd + 1);
    }
  }
  if (startsWith(p, len, at, "Digest: ")) at += 8;
  if (startsWith(p, len, at, "user ")) setUser(p, len, at + 5, out);
}

/** A user name after "user ": quoted ("alice"/'alice'), or up to a colon or blank. */
function setUser(p: usize, len: i32, at: i32, out: FieldSink): void {
  if (at >= len) return;
  const q = <u32>load<u8>(p + <usize>at);
  if (q == CharCode.Quote || q == CharCode.Apostrophe) {
    const end = byteEnd(p, len, at + 1, q);
    if (end < len) out.set(Field.User, p + <usize>(at + 1), end - at - 1);
    return;
  }
  let end = at;
  while (end < len && !isBlank(<u32>load<u8>(p + <usize>end)) && load<u8>(p + <usize>end) != CharCode.Colon) end++;
  if (end > at) out.set(Field.User, p + <usize>at, end - at);
}

function parseNginx(p: usize, len: i32, out: FieldSink): bool {
  const time = nginxErrorTime(p, len, 0);
  if (time == NO_TIME) return false;
  let at = skipBlanks(p, len, 19);
  if (at >= len || load<u8>(p + <usize>at) != CharCode.OpenBracket) return false;
  const levelEnd = byteEnd(p, len, at, CharCode.CloseBracket);
  if (levelEnd >= len) return false;
  out.time = time;
  out.constant(Field.Format, ERROR);
  out.set(Field.Level, p + <usize>(at + 1), levelEnd - at - 1);
  at = skipBlanks(p, len, levelEnd + 1);
  // "812#812: " (pid#tid), then "*7 " (connection), both optional in form.
  const pidEnd = tokenEnd(p, len, at);
  if (pidEnd > at && load<u8>(p + <usize>(pidEnd - 1)) == CharCode.Colon) at = skipBlanks(p, len, pidEnd);
  if (at < len && load<u8>(p + <usize>at) == CharCode.Star) at = skipBlanks(p, len, tokenEnd(p, len, at));
  const trailer = lastIndexOf(p, len, ", client: ");
  const messageEnd = trailer > at ? trailer : len;
  out.set(Field.Message, p + <usize>at, messageEnd - at);
  // user "alice" was not found in "..."; user "alice": password mismatch
  if (startsWith(p, messageEnd, at, "user ")) setUser(p, messageEnd, at + 5, out);
  if (trailer > at) readTrailer(p, len, trailer + 2, out);
  return true;
}

/** client: A, server: B, request: "GET /x HTTP/1.1", upstream: "...", host: "H", referrer: "R" */
function readTrailer(p: usize, len: i32, at: i32, out: FieldSink): void {
  const clientAt = at + 8;
  let clientEnd = byteEnd(p, len, clientAt, CharCode.Comma);
  setClient(p + <usize>clientAt, clientEnd - clientAt, out);
  const request = indexOf(p, len, clientEnd, ", request: \"");
  if (request > 0) {
    const reqAt = request + 12;
    const reqEnd = byteEnd(p, len, reqAt, CharCode.Quote);
    const methodEnd = tokenEnd(p, reqEnd, reqAt);
    if (methodEnd < reqEnd) {
      out.set(Field.Method, p + <usize>reqAt, methodEnd - reqAt);
      const targetAt = skipBlanks(p, reqEnd, methodEnd);
      const targetEnd = tokenEnd(p, reqEnd, targetAt);
      out.set(Field.Path, p + <usize>targetAt, targetEnd - targetAt);
      const protoAt = skipBlanks(p, reqEnd, targetEnd);
      if (protoAt < reqEnd) out.set(Field.Protocol, p + <usize>protoAt, tokenEnd(p, reqEnd, protoAt) - protoAt);
    }
  }
  const host = indexOf(p, len, clientEnd, ", host: \"");
  if (host > 0) {
    const hostAt = host + 9;
    out.set(Field.Vhost, p + <usize>hostAt, byteEnd(p, len, hostAt, CharCode.Quote) - hostAt);
  }
  const referrer = indexOf(p, len, clientEnd, ", referrer: \"");
  if (referrer > 0) {
    const refAt = referrer + 13;
    out.set(Field.Referer, p + <usize>refAt, byteEnd(p, len, refAt, CharCode.Quote) - refAt);
  }
}
