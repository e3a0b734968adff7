// Apache/Nginx access lines, common and combined, with an optional trailing
// response time (nginx $request_time, Apache %D or %T, or "rt=0.123"):
//   203.0.113.9 - alice [20/Nov/2026:10:00:00 +0000] "GET /a?b=1 HTTP/1.1" 200 512 "ref" "agent" 0.042
import { Scan } from "../scan";
import { Field, RawFields, setField, setConstant, constant } from "./fields";
import { isDigit, isSpace, tokenEnd, skipSpaces, startsWith } from "./text";

const ACCESS = constant("access");

/** The index just past a quoted field starting at `at` (a quote followed by a space or the end closes it), or -1. */
function quotedEnd(p: usize, len: i32, at: i32): i32 {
  for (let i = at + 1; i < len; i++) {
    if (load<u8>(p + <usize>i) == 0x22 && (i + 1 == len || isSpace(load<u8>(p + <usize>(i + 1))))) return i + 1;
  }
  return -1;
}

export function parseAccess(p: usize, len: i32, scan: Scan, fields: RawFields): bool {
  // client ident user [time] "request" status size
  const ipEnd = tokenEnd(p, len, 0);
  if (ipEnd == 0 || ipEnd >= len) return false;
  let at = skipSpaces(p, len, ipEnd);
  const identEnd = tokenEnd(p, len, at);
  at = skipSpaces(p, len, identEnd);
  const userAt = at;
  const userEnd = tokenEnd(p, len, at);
  at = skipSpaces(p, len, userEnd);
  if (at >= len || load<u8>(p + <usize>at) != 0x5b) return false;
  while (at < len && load<u8>(p + <usize>at) != 0x5d) at++;
  at = skipSpaces(p, len, at + 1);
  if (at >= len || load<u8>(p + <usize>at) != 0x22) return false;
  const requestAt = at + 1;
  const requestEnd = quotedEnd(p, len, at);
  if (requestEnd < 0) return false;
  at = skipSpaces(p, len, requestEnd);
  const statusAt = at;
  const statusEnd = tokenEnd(p, len, at);
  if (statusEnd - statusAt != 3 || !isDigit(load<u8>(p + <usize>statusAt))) return false;
  at = skipSpaces(p, len, statusEnd);
  const sizeAt = at;
  const sizeEnd = tokenEnd(p, len, at);

  setConstant(scan, fields, Field.Format, ACCESS);
  setField(scan, fields, Field.ClientIp, p, ipEnd);
  if (!(userEnd - userAt == 1 && load<u8>(p + <usize>userAt) == 0x2d)) setField(scan, fields, Field.User, p + <usize>userAt, userEnd - userAt);
  // The request line: METHOD TARGET PROTOCOL (a garbage request keeps its text as the path).
  const reqLen = requestEnd - 1 - requestAt;
  const req = p + <usize>requestAt;
  const methodEnd = tokenEnd(req, reqLen, 0);
  if (methodEnd < reqLen) {
    setField(scan, fields, Field.Method, req, methodEnd);
    const targetAt = skipSpaces(req, reqLen, methodEnd);
    const targetEnd = tokenEnd(req, reqLen, targetAt);
    setField(scan, fields, Field.Path, req + <usize>targetAt, targetEnd - targetAt);
    for (let q = targetAt; q < targetEnd; q++) {
      if (load<u8>(req + <usize>q) == 0x3f) {
        setField(scan, fields, Field.Query, req + <usize>(q + 1), targetEnd - q - 1);
        break;
      }
    }
    const protoAt = skipSpaces(req, reqLen, targetEnd);
    if (protoAt < reqLen) setField(scan, fields, Field.Protocol, req + <usize>protoAt, tokenEnd(req, reqLen, protoAt) - protoAt);
  } else {
    setField(scan, fields, Field.Path, req, reqLen);
  }
  setField(scan, fields, Field.Status, p + <usize>statusAt, 3);
  setField(scan, fields, Field.Size, p + <usize>sizeAt, sizeEnd - sizeAt);

  // Combined: "referer" "agent"
  at = skipSpaces(p, len, sizeEnd);
  if (at < len && load<u8>(p + <usize>at) == 0x22) {
    const refEnd = quotedEnd(p, len, at);
    if (refEnd < 0) return true;
    setField(scan, fields, Field.Referer, p + <usize>(at + 1), refEnd - at - 2);
    at = skipSpaces(p, len, refEnd);
    if (at < len && load<u8>(p + <usize>at) == 0x22) {
      const agentEnd = quotedEnd(p, len, at);
      if (agentEnd < 0) return true;
      setField(scan, fields, Field.UserAgent, p + <usize>(at + 1), agentEnd - at - 2);
      at = skipSpaces(p, len, agentEnd);
    }
  }
  // A trailing response time.
  while (at < len) {
    const end = tokenEnd(p, len, at);
    let from = at;
    if (startsWith(p, len, at, "rt=") || startsWith(p, len, at, "request_time=")) from = at + (load<u8>(p + <usize>at) == 0x72 && load<u8>(p + <usize>(at + 1)) == 0x74 ? 3 : 13);
    if (from < end && isDigit(load<u8>(p + <usize>from))) {
      setField(scan, fields, Field.ResponseTime, p + <usize>from, end - from);
      break;
    }
    at = skipSpaces(p, len, end);
  }
  return true;
}
