// Apache/Nginx access lines, common and combined, with an optional trailing
// response time (nginx $request_time, Apache %D or %T, "rt=0.123"):
//   203.0.113.9 - alice [20/Nov/2026:10:00:00 +0000] "GET /a?b=1 HTTP/1.1" 200 512 "ref" "agent" 0.042
// Fills client_ip, user, method, path (the request target, query included),
// protocol, status, size, referer, user_agent, response_time; the query, the
// stem and the target's host and extension are derived later, as for every
// record shape (fields/derive.ts).
import { Field } from "../../runtime/schema";
import { CharCode, isBlank, isDigit } from "../../runtime/ascii";
import { startsWith } from "../../runtime/span";
import { FieldSink } from "../sink";
import { tokenEnd, skipBlanks, byteEnd } from "./text";
import { clfTime } from "./time";

/** The index just past a quoted field starting at `at` (a quote followed by a blank or the end closes it), or -1. */
function quotedEnd(p: usize, len: i32, at: i32): i32 {
  for (let i = at + 1; i < len; i++) {
    if (load<u8>(p + <usize>i) == CharCode.Quote && (i + 1 == len || isBlank(<u32>load<u8>(p + <usize>(i + 1))))) return i + 1;
  }
  return -1;
}

/** Parses an access line into `out` (its time too); false when the line is not one. */
export function parseAccess(p: usize, len: i32, out: FieldSink): bool {
  // client ident user [time] "request" status size
  const ipEnd = tokenEnd(p, len, 0);
  if (ipEnd == 0 || ipEnd >= len) return false;
  let at = skipBlanks(p, len, ipEnd);
  at = skipBlanks(p, len, tokenEnd(p, len, at)); // ident
  const userAt = at;
  const userEnd = tokenEnd(p, len, at);
  at = skipBlanks(p, len, userEnd);
  if (at >= len || load<u8>(p + <usize>at) != CharCode.OpenBracket) return false;
  const timeAt = at + 1;
  at = skipBlanks(p, len, byteEnd(p, len, at, CharCode.CloseBracket) + 1);
  if (at >= len || load<u8>(p + <usize>at) != CharCode.Quote) return false;
  const requestAt = at + 1;
  const requestEnd = quotedEnd(p, len, at);
  if (requestEnd < 0) return false;
  at = skipBlanks(p, len, requestEnd);
  const statusAt = at;
  const statusEnd = tokenEnd(p, len, at);
  if (statusEnd - statusAt != 3 || !isDigit(<u32>load<u8>(p + <usize>statusAt))) return false;
  at = skipBlanks(p, len, statusEnd);
  const sizeAt = at;
  const sizeEnd = tokenEnd(p, len, at);

  out.set(Field.ClientIp, p, ipEnd);
  if (!(userEnd - userAt == 1 && load<u8>(p + <usize>userAt) == CharCode.Minus)) out.set(Field.User, p + <usize>userAt, userEnd - userAt);
  // The request line: METHOD TARGET PROTOCOL (a garbage request keeps its text as the path).
  const req = p + <usize>requestAt;
  const reqLen = requestEnd - 1 - requestAt;
  const methodEnd = tokenEnd(req, reqLen, 0);
  if (methodEnd < reqLen) {
    out.set(Field.Method, req, methodEnd);
    const targetAt = skipBlanks(req, reqLen, methodEnd);
    const targetEnd = tokenEnd(req, reqLen, targetAt);
    out.set(Field.Path, req + <usize>targetAt, targetEnd - targetAt);
    const protoAt = skipBlanks(req, reqLen, targetEnd);
    if (protoAt < reqLen) out.set(Field.Protocol, req + <usize>protoAt, tokenEnd(req, reqLen, protoAt) - protoAt);
  } else {
    out.set(Field.Path, req, reqLen);
  }
  out.set(Field.Status, p + <usize>statusAt, 3);
  out.set(Field.Size, p + <usize>sizeAt, sizeEnd - sizeAt);

  // Combined: "referer" "agent"
  at = skipBlanks(p, len, sizeEnd);
  if (at < len && load<u8>(p + <usize>at) == CharCode.Quote) {
    const refEnd = quotedEnd(p, len, at);
    if (refEnd < 0) return stamped(p, len, timeAt, out);
    out.set(Field.Referer, p + <usize>(at + 1), refEnd - at - 2);
    at = skipBlanks(p, len, refEnd);
    if (at < len && load<u8>(p + <usize>at) == CharCode.Quote) {
      const agentEnd = quotedEnd(p, len, at);
      if (agentEnd < 0) return stamped(p, len, timeAt, out);
      out.set(Field.UserAgent, p + <usize>(at + 1), agentEnd - at - 2);
      at = skipBlanks(p, len, agentEnd);
    }
  }
  // A trailing response time, bare or as rt= / request_time=.
  while (at < len) {
    const end = tokenEnd(p, len, at);
    let from = at;
    if (startsWith(p, len, at, "rt=")) from = at + 3;
    else if (startsWith(p, len, at, "request_time=")) from = at + 13;
    if (from < end && isDigit(<u32>load<u8>(p + <usize>from))) {
      out.set(Field.ResponseTime, p + <usize>from, end - from);
      break;
    }
    at = skipBlanks(p, len, end);
  }
  return stamped(p, len, timeAt, out);
}

function stamped(p: usize, len: i32, timeAt: i32, out: FieldSink): bool {
  out.time = clfTime(p, len, timeAt);
  return true;
}
