// Syslog lines (RFC 3164 as in /var/log/auth.log, with or without <pri>;
// RFC 5424; ISO timestamps as rsyslog writes them), and what sshd, PAM and
// sudo say in them:
//   Nov 20 10:00:00 web1 sshd[812]: Failed password for invalid user admin from 203.0.113.9 port 52311 ssh2
import { Scan } from "../scan";
import { Field, RawFields, setField, setConstant, constant } from "./fields";
import { isDigit, isSpace, tokenEnd, skipSpaces, find, startsWith } from "./text";

const AUTH = constant("auth");
const SYSLOG = constant("syslog");
const FAILURE = constant("failure");
const SUCCESS = constant("success");
const INVALID_USER = constant("invalid_user");
const SUDO = constant("sudo");
const PASSWORD = constant("password");

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

function isMonth(p: usize, at: i32): bool {
  for (let m = 0; m < 12; m++) {
    if (load<u8>(p + <usize>at) == <u8>MONTHS.charCodeAt(m * 3) && load<u8>(p + <usize>(at + 1)) == <u8>MONTHS.charCodeAt(m * 3 + 1) && load<u8>(p + <usize>(at + 2)) == <u8>MONTHS.charCodeAt(m * 3 + 2)) return true;
  }
  return false;
}

/** Skips a timestamp: "Nov 20 10:00:00" or an ISO 8601 token. Returns the index after it, or -1. */
function skipTime(p: usize, len: i32, at: i32): i32 {
  if (at + 15 <= len && isMonth(p, at) && load<u8>(p + <usize>(at + 3)) == 0x20) {
    let i = skipSpaces(p, len, at + 4);
    i = tokenEnd(p, len, i); // day
    i = skipSpaces(p, len, i);
    const timeEnd = tokenEnd(p, len, i);
    if (timeEnd - i < 8 || load<u8>(p + <usize>(i + 2)) != 0x3a) return -1;
    return timeEnd;
  }
  if (at + 10 <= len && isDigit(load<u8>(p + <usize>at)) && load<u8>(p + <usize>(at + 4)) == 0x2d) return tokenEnd(p, len, at);
  return -1;
}

/** Reads the token after `word` (e.g. the user after "for "), up to a space. */
function tokenAfter(p: usize, len: i32, at: i32, f: i32, scan: Scan, fields: RawFields): i32 {
  const end = tokenEnd(p, len, at);
  if (end > at) setField(scan, fields, f, p + <usize>at, end - at);
  return end;
}

function fromAddress(p: usize, len: i32, from: i32, scan: Scan, fields: RawFields): void {
  const at = find(p, len, from, " from ");
  if (at >= 0) tokenAfter(p, len, at + 6, Field.ClientIp, scan, fields);
}

/** sshd, PAM and sudo messages. */
export function parseAuthMessage(p: usize, len: i32, scan: Scan, fields: RawFields): void {
  let at = find(p, len, 0, "Failed ");
  if (at == 0 || (at > 0 && startsWith(p, len, 0, "error: ") && at == 7)) {
    setConstant(scan, fields, Field.AuthResult, FAILURE);
    const methodEnd = tokenEnd(p, len, at + 7);
    setField(scan, fields, Field.AuthMethod, p + <usize>(at + 7), methodEnd - at - 7);
    let user = find(p, len, methodEnd, " for ");
    if (user >= 0) {
      user += 5;
      if (startsWith(p, len, user, "invalid user ")) user += 13;
      tokenAfter(p, len, user, Field.AuthUser, scan, fields);
    }
    fromAddress(p, len, methodEnd, scan, fields);
    return;
  }
  if (startsWith(p, len, 0, "Accepted ")) {
    setConstant(scan, fields, Field.AuthResult, SUCCESS);
    const methodEnd = tokenEnd(p, len, 9);
    setField(scan, fields, Field.AuthMethod, p + 9, methodEnd - 9);
    const user = find(p, len, methodEnd, " for ");
    if (user >= 0) tokenAfter(p, len, user + 5, Field.AuthUser, scan, fields);
    fromAddress(p, len, methodEnd, scan, fields);
    return;
  }
  if (startsWith(p, len, 0, "Invalid user ")) {
    setConstant(scan, fields, Field.AuthResult, INVALID_USER);
    tokenAfter(p, len, 13, Field.AuthUser, scan, fields);
    fromAddress(p, len, 13, scan, fields);
    return;
  }
  at = find(p, len, 0, "authentication failure;");
  if (at >= 0) {
    setConstant(scan, fields, Field.AuthResult, FAILURE);
    setConstant(scan, fields, Field.AuthMethod, PASSWORD);
    const rhost = find(p, len, at, "rhost=");
    if (rhost >= 0) tokenAfter(p, len, rhost + 6, Field.ClientIp, scan, fields);
    const user = find(p, len, at, " user=");
    if (user >= 0) tokenAfter(p, len, user + 6, Field.AuthUser, scan, fields);
    return;
  }
  at = find(p, len, 0, "maximum authentication attempts exceeded for ");
  if (at >= 0) {
    setConstant(scan, fields, Field.AuthResult, FAILURE);
    let user = at + 46;
    if (startsWith(p, len, user, "invalid user ")) user += 13;
    tokenAfter(p, len, user, Field.AuthUser, scan, fields);
    fromAddress(p, len, user, scan, fields);
    return;
  }
  // sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash"
  at = find(p, len, 0, " : ");
  if (at > 0 && find(p, len, at, "COMMAND=") >= 0) {
    setConstant(scan, fields, Field.EventType, SUDO);
    setField(scan, fields, Field.AuthUser, p, at);
    if (find(p, len, at, "incorrect password") >= 0) setConstant(scan, fields, Field.AuthResult, FAILURE);
    else setConstant(scan, fields, Field.AuthResult, SUCCESS);
  }
}

export function parseSyslog(p: usize, len: i32, scan: Scan, fields: RawFields): bool {
  let at = 0;
  if (at < len && load<u8>(p) == 0x3c) {
    while (at < len && load<u8>(p + <usize>at) != 0x3e) at++;
    at++;
    if (startsWith(p, len, at, "1 ")) return parse5424(p, len, at + 2, scan, fields);
  }
  at = skipTime(p, len, at);
  if (at < 0) return false;
  at = skipSpaces(p, len, at);
  const hostEnd = tokenEnd(p, len, at);
  if (hostEnd >= len) return false;
  const hostAt = at;
  at = skipSpaces(p, len, hostEnd);
  // program[pid]: message
  const programAt = at;
  while (at < len && load<u8>(p + <usize>at) != 0x5b && load<u8>(p + <usize>at) != 0x3a && !isSpace(load<u8>(p + <usize>at))) at++;
  const programEnd = at;
  if (programEnd == programAt || at >= len) return false;
  let pidAt = -1;
  let pidEnd = -1;
  if (load<u8>(p + <usize>at) == 0x5b) {
    pidAt = at + 1;
    while (at < len && load<u8>(p + <usize>at) != 0x5d) at++;
    pidEnd = at;
    at++;
  }
  if (at >= len || load<u8>(p + <usize>at) != 0x3a) return false;
  const messageAt = skipSpaces(p, len, at + 1);
  setField(scan, fields, Field.Host, p + <usize>hostAt, hostEnd - hostAt);
  setField(scan, fields, Field.Program, p + <usize>programAt, programEnd - programAt);
  if (pidAt >= 0) setField(scan, fields, Field.Pid, p + <usize>pidAt, pidEnd - pidAt);
  setField(scan, fields, Field.Message, p + <usize>messageAt, len - messageAt);
  finishAuth(p + <usize>messageAt, len - messageAt, scan, fields);
  return true;
}

function parse5424(p: usize, len: i32, at: i32, scan: Scan, fields: RawFields): bool {
  // TIMESTAMP HOST APP PROCID MSGID SD MSG
  at = skipSpaces(p, len, tokenEnd(p, len, at));
  const hostAt = at;
  const hostEnd = tokenEnd(p, len, at);
  at = skipSpaces(p, len, hostEnd);
  const appAt = at;
  const appEnd = tokenEnd(p, len, at);
  at = skipSpaces(p, len, appEnd);
  const pidAt = at;
  const pidEnd = tokenEnd(p, len, at);
  at = skipSpaces(p, len, pidEnd);
  at = skipSpaces(p, len, tokenEnd(p, len, at)); // msgid
  if (at >= len) return false;
  if (load<u8>(p + <usize>at) == 0x5b) {
    while (at < len && load<u8>(p + <usize>at) != 0x5d) at++;
    at++;
  } else {
    at = tokenEnd(p, len, at);
  }
  at = skipSpaces(p, len, at);
  setField(scan, fields, Field.Host, p + <usize>hostAt, hostEnd - hostAt);
  setField(scan, fields, Field.Program, p + <usize>appAt, appEnd - appAt);
  setField(scan, fields, Field.Pid, p + <usize>pidAt, pidEnd - pidAt);
  setField(scan, fields, Field.Message, p + <usize>at, len - at);
  finishAuth(p + <usize>at, len - at, scan, fields);
  return true;
}

function finishAuth(p: usize, len: i32, scan: Scan, fields: RawFields): void {
  const before = fields.keys[Field.AuthResult] >= 0 ? scan.kind[fields.keys[Field.AuthResult]] : 0;
  parseAuthMessage(p, len, scan, fields);
  const after = fields.keys[Field.AuthResult] >= 0 ? scan.kind[fields.keys[Field.AuthResult]] : 0;
  setConstant(scan, fields, Field.Format, after != before ? AUTH : SYSLOG);
}
