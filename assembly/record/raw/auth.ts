// What sshd, PAM and sudo say in a syslog message: the outcome of a login
// attempt (auth_result: failure, success, invalid_user), who (auth_user),
// how (auth_method) and from where (client_ip). Each attempt has one line
// with an auth_result; the lines sshd writes around it (the connection
// closing during authentication, a policy refusal, protocol noise from
// scanners) get an event_type instead, so counting auth_result counts
// attempts once:
//   ssh_preauth_disconnect  Connection closed/reset by [authenticating|invalid user] ..., Disconnecting ...,
//                           Disconnected from ..., Received disconnect ... [preauth], maximum authentication
//                           attempts exceeded, Too many authentication failures
//   ssh_login_refused       User x from ip not allowed because ..., ROOT LOGIN REFUSED FROM ip, refused connect from
//   ssh_protocol            Did not receive identification string, Bad protocol version, kex_exchange_identification,
//                           banner exchange, Unable to negotiate, no matching cipher/mac/... found
//   ssh_connection          Connection from <ip> port <n> (LogLevel VERBOSE), a patched sshd's "SSH: Server;..."
//
// The PAM line sshd writes beside its own "Failed password" line
// ("pam_unix(sshd:auth): authentication failure; ... rhost=ip") keeps its
// address and user but has no auth_result: the sshd line is the attempt.
// "Failed publickey" keeps auth_result failure with auth_method publickey;
// the rules decide not to count it (a client offering several keys logs one
// per key before the one that works).
//
// IPv4 addresses written IPv4-mapped ("::ffff:1.2.3.4") are read as
// "1.2.3.4", so one client has one key whichever socket family sshd used.
// Addresses and users come from the END of the message ("... from <ip>
// port <n>", "... user <name> <ip> port <n>"): user names are chosen by the
// attacker and may themselves contain " from 6.6.6.6". The one exception is
// "Failed|Accepted <method> for <account> from <ip>" for an existing account
// (no "invalid user"): its one-token name is not the client's choice, and
// what follows the port may be.
//
// Lines that name the client and nothing else (a connection's first line,
// "Connection closed by <ip> port <n>") are read too: sshd lines of the same
// process that carry no address borrow theirs (sessions.ts).
import { Field } from "../../runtime/schema";
import { CharCode, isBlank, isDigit } from "../../runtime/ascii";
import { startsWith, indexOf } from "../../runtime/span";
import { FieldSink, word } from "../sink";
import { tokenEnd, skipBlanks, byteEnd, lastIndexOf } from "./text";

const FAILURE = word("failure");
const SUCCESS = word("success");
const INVALID_USER = word("invalid_user");
const SUDO = word("sudo");
const PASSWORD = word("password");
const SSH_PROTOCOL = word("ssh_protocol");
const SSH_PREAUTH_DISCONNECT = word("ssh_preauth_disconnect");
const SSH_LOGIN_REFUSED = word("ssh_login_refused");
const SSH_CONNECTION = word("ssh_connection");
const ROOT = word("root");

/** Sets a token starting at `at` (up to a blank) as field `f`; returns its end. */
function token(p: usize, len: i32, at: i32, f: Field, out: FieldSink): i32 {
  const end = tokenEnd(p, len, at);
  if (f == Field.ClientIp) address(p, at, end, out);
  else if (end > at) out.set(f, p + <usize>at, end - at);
  return end;
}

/** The client address in [at, end): a trailing ':' or ',' cut, an IPv4-mapped "::ffff:" prefix dropped. */
function address(p: usize, at: i32, end: i32, out: FieldSink): void {
  while (end > at) {
    const c = <u32>load<u8>(p + <usize>(end - 1));
    if (c != CharCode.Colon && c != CharCode.Comma) break;
    end--;
  }
  if (startsWith(p, end, at, "::ffff:") && at + 7 < end && isDigit(<u32>load<u8>(p + <usize>(at + 7))) && indexOf(p, end, at + 7, ".") > 0) at += 7;
  if (end > at) out.set(Field.ClientIp, p + <usize>at, end - at);
}

/** Whether [at, end) is an IPv4 or IPv6 address as sshd writes them (hex digits, '.' and ':', one of those at least). */
function isNumericAddress(p: usize, at: i32, end: i32): bool {
  let separators = 0;
  for (let i = at; i < end; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == CharCode.Dot || c == CharCode.Colon) separators++;
    else if (!isDigit(c) && ((c | 0x20) < 0x61 || (c | 0x20) > 0x66)) return false; // a-f, A-F
  }
  return separators > 0;
}

/** "... from <ip>" (the last one): the address, and where " from " starts (or -1). */
function fromAddress(p: usize, len: i32, out: FieldSink): i32 {
  const at = lastIndexOf(p, len, " from ");
  if (at >= 0) token(p, len, at + 6, Field.ClientIp, out);
  return at;
}

/** Whether "invalid user " or "illegal user " (sshd's words for a name no account has) starts at `at`. */
function isInvalidUser(p: usize, len: i32, at: i32): bool {
  return startsWith(p, len, at, "invalid user ") || startsWith(p, len, at, "illegal user ");
}

/** The user between `at` and `end`, after an optional "invalid user " / "illegal user ". */
function userBetween(p: usize, at: i32, end: i32, out: FieldSink): void {
  if (isInvalidUser(p, end, at)) at += 13;
  if (end > at) out.set(Field.AuthUser, p + <usize>at, end - at);
}

/**
 * "<user> <ip> port <n>..." at the end of messages like "Connection closed by
 * authenticating user root 1.2.3.4 port 22 [preauth]": the address is the
 * token before the last " port ", the user everything between `at` and it.
 */
function userThenAddress(p: usize, len: i32, at: i32, out: FieldSink): void {
  const port = lastIndexOf(p, len, " port ");
  let addressEnd = port > at ? port : len;
  while (addressEnd > at && isBlank(<u32>load<u8>(p + <usize>(addressEnd - 1)))) addressEnd--;
  let addressAt = addressEnd;
  while (addressAt > at && !isBlank(<u32>load<u8>(p + <usize>(addressAt - 1)))) addressAt--;
  address(p, addressAt, addressEnd, out);
  if (addressAt - 1 > at) out.set(Field.AuthUser, p + <usize>at, addressAt - 1 - at);
}

/** Skips Solaris' "[ID 800047 auth.info] " tag, then "error: " or "fatal: ". */
function skipPrefix(p: usize, len: i32): i32 {
  let at = 0;
  if (startsWith(p, len, 0, "[ID ")) {
    const close = byteEnd(p, len, 4, CharCode.CloseBracket);
    if (close < len) at = skipBlanks(p, len, close + 1);
  }
  if (startsWith(p, len, at, "error: ")) return at + 7;
  if (startsWith(p, len, at, "fatal: ")) return at + 7;
  return at;
}

/** Reads an sshd/PAM/sudo message; returns whether it was an authentication event. */
export function parseAuthMessage(p: usize, len: i32, out: FieldSink): bool {
  const at = skipPrefix(p, len);
  // Failed <method> for [invalid user ]<user> from <ip> port <n> ssh2
  if (startsWith(p, len, at, "Failed ") || startsWith(p, len, at, "Accepted ")) {
    const accepted = load<u8>(p + <usize>at) == 0x41;
    const methodAt = at + (accepted ? 9 : 7);
    const methodEnd = tokenEnd(p, len, methodAt);
    out.constant(Field.AuthResult, accepted ? SUCCESS : FAILURE);
    out.set(Field.AuthMethod, p + <usize>methodAt, methodEnd - methodAt);
    const userAt = methodEnd + 5;
    if (startsWith(p, len, methodEnd, " for ") && !isInvalidUser(p, len, userAt)) {
      // The name of an existing account is one token the client cannot choose, so its " from " is
      // the address, whatever follows (SSH-1 wrote the client's own "ruser <name>" after "ssh1: ").
      const userEnd = tokenEnd(p, len, userAt);
      if (startsWith(p, len, userEnd, " from ")) {
        out.set(Field.AuthUser, p + <usize>userAt, userEnd - userAt);
        token(p, len, userEnd + 6, Field.ClientIp, out);
        return true;
      }
    }
    const from = fromAddress(p, len, out);
    if (startsWith(p, len, methodEnd, " for ") && from > userAt) userBetween(p, userAt, from, out);
    return true;
  }
  // Connection from <ip> port <n> [on <ip> port <n>] (LogLevel VERBOSE): a new connection, whose
  // address the process's later lines without one borrow (sessions.ts).
  if (startsWith(p, len, at, "Connection from ")) {
    out.constant(Field.EventType, SSH_CONNECTION);
    token(p, len, at + 16, Field.ClientIp, out);
    return true;
  }
  // SSH: Server;Ltype: Version|Kex|Authname;Remote: <ip>-<port>;... (a patched sshd's connection log): the same.
  if (startsWith(p, len, at, "SSH: Server;Ltype: ")) {
    const remote = indexOf(p, len, at, ";Remote: ");
    if (remote < 0) return false;
    const end = byteEnd(p, len, remote + 9, CharCode.Semicolon);
    const dash = lastIndexOf(p, end, "-");
    if (dash <= remote + 9) return false;
    out.constant(Field.EventType, SSH_CONNECTION);
    address(p, remote + 9, dash, out);
    return true;
  }
  if (startsWith(p, len, at, "Invalid user ") || startsWith(p, len, at, "Illegal user ")) {
    out.constant(Field.AuthResult, INVALID_USER);
    const from = fromAddress(p, len, out);
    if (from > at + 13) out.set(Field.AuthUser, p + <usize>(at + 13), from - at - 13);
    else token(p, len, at + 13, Field.AuthUser, out);
    return true;
  }
  // PAM: "pam_unix(sshd:auth): authentication failure; ... rhost=<ip>  user=<u>",
  // "PAM 2 more authentication failures; ... rhost=<ip>"
  let i = indexOf(p, len, at, "authentication failure");
  if (i >= 0 && (indexOf(p, len, at, "rhost=") >= 0 || indexOf(p, len, at, "logname=") >= 0)) {
    // sshd's own PAM module: its "Failed ..." line is the attempt (see the header).
    if (indexOf(p, i, at, "(sshd:auth)") < 0) out.constant(Field.AuthResult, FAILURE);
    out.constant(Field.AuthMethod, PASSWORD);
    // "... ruser=R rhost=H  user=U": user= is the last field and U is the name
    // the client tried, so an "rhost=" after the first " user=" is part of it.
    const firstHost = indexOf(p, len, at, "rhost=");
    let user = firstHost >= 0 ? indexOf(p, len, firstHost, " user=") : -1;
    const rhost = lastIndexOf(p, user >= 0 ? user : len, "rhost=");
    if (rhost >= 0) token(p, len, rhost + 6, Field.ClientIp, out);
    if (user < 0) user = indexOf(p, len, at, " user=");
    if (user >= 0) token(p, len, user + 6, Field.AuthUser, out);
    return true;
  }
  // PAM: Authentication failure|error for [illegal user ]<user> from <ip> [via <local ip>] (either case);
  // PAM: User not known to the underlying authentication module for illegal user <user> from <ip>
  if (startsWith(p, len, at, "PAM: ")) {
    const pam = pamUserAt(p, len, at + 5);
    if (pam != 0) {
      out.constant(Field.AuthResult, pam < 0 ? INVALID_USER : FAILURE);
      out.constant(Field.AuthMethod, PASSWORD);
      const userAt = pam < 0 ? -pam : pam;
      const from = fromAddress(p, len, out);
      userBetween(p, userAt, from > userAt ? from : tokenEnd(p, len, userAt), out);
      return true;
    }
  }
  // maximum authentication attempts exceeded for [invalid user ]<user> from <ip> port <n> ssh2 [preauth]:
  // the summary at the end of a connection whose attempts were each logged.
  if (startsWith(p, len, at, "maximum authentication attempts exceeded for ")) {
    out.constant(Field.EventType, SSH_PREAUTH_DISCONNECT);
    const from = fromAddress(p, len, out);
    if (from > at + 45) userBetween(p, at + 45, from, out);
    return true;
  }
  // Disconnecting: Too many authentication failures [for <user>] [preauth] (no address: older sshd)
  if (startsWith(p, len, at, "Disconnecting: Too many authentication failures")) {
    out.constant(Field.EventType, SSH_PREAUTH_DISCONNECT);
    const userAt = at + 47;
    if (startsWith(p, len, userAt, " for ")) {
      let userEnd = lastIndexOf(p, len, " [preauth]");
      if (userEnd < userAt + 5) userEnd = len;
      userBetween(p, userAt + 5, userEnd, out);
    }
    return true;
  }
  // User <user> from <ip> not allowed because ...; User <user> not allowed because ...
  i = indexOf(p, len, at, " not allowed because ");
  if (startsWith(p, len, at, "User ") && i > at + 5) {
    out.constant(Field.EventType, SSH_LOGIN_REFUSED);
    const from = lastIndexOf(p, i, " from ");
    if (from > at + 5) {
      out.set(Field.AuthUser, p + <usize>(at + 5), from - at - 5);
      out.set(Field.ClientIp, p + <usize>(from + 6), i - from - 6);
    } else {
      out.set(Field.AuthUser, p + <usize>(at + 5), i - at - 5);
    }
    return true;
  }
  // ROOT LOGIN REFUSED FROM <ip> [port <n>]
  if (startsWith(p, len, at, "ROOT LOGIN REFUSED FROM ")) {
    out.constant(Field.EventType, SSH_LOGIN_REFUSED);
    out.constant(Field.AuthUser, ROOT);
    token(p, len, at + 24, Field.ClientIp, out);
    return true;
  }
  // TCP wrappers: refused connect from <name> (<ip>)
  if (startsWith(p, len, at, "refused connect from ")) {
    out.constant(Field.EventType, SSH_LOGIN_REFUSED);
    const open = lastIndexOf(p, len, "(");
    if (open > at && load<u8>(p + <usize>(len - 1)) == 0x29 /* ) */) address(p, open + 1, len - 1, out);
    else token(p, len, at + 21, Field.ClientIp, out);
    return true;
  }
  // Connection closed|reset by [authenticating|invalid] user <user> <ip> port <n> [preauth];
  // Disconnecting|Disconnected from [authenticating|invalid] user <user> <ip> port <n>...
  const by = connectionVerb(p, len, at);
  if (by > 0) {
    if (startsWith(p, len, by, "authenticating user ")) userThenAddress(p, len, by + 20, out);
    else if (startsWith(p, len, by, "invalid user ")) userThenAddress(p, len, by + 13, out);
    else if (startsWith(p, len, by, "user ")) return false; // a user who had logged in
    else if (indexOf(p, len, by, "[preauth]") >= 0) token(p, len, by, Field.ClientIp, out); // never authenticated
    else {
      // No "[preauth]": after a login, or before one at sshd's default log level. Only the address,
      // which an event of the same process may be waiting for (sessions.ts).
      const end = tokenEnd(p, len, by);
      if (!isNumericAddress(p, by, end)) return false;
      address(p, by, end, out);
      return true;
    }
    out.constant(Field.EventType, SSH_PREAUTH_DISCONNECT);
    return true;
  }
  // Pre-authentication protocol noise: banner grabbers, old or odd clients.
  if (
    startsWith(p, len, at, "Did not receive identification string") ||
    startsWith(p, len, at, "Bad protocol version identification ") ||
    startsWith(p, len, at, "Unable to negotiate ") ||
    startsWith(p, len, at, "kex_exchange_identification: ") ||
    startsWith(p, len, at, "banner exchange: ") ||
    startsWith(p, len, at, "no matching ") ||
    startsWith(p, len, at, "Protocol major versions differ")
  ) {
    out.constant(Field.EventType, SSH_PROTOCOL);
    if (startsWith(p, len, at, "Unable to negotiate with ")) token(p, len, at + 25, Field.ClientIp, out);
    else if (startsWith(p, len, at, "banner exchange: Connection from ")) token(p, len, at + 33, Field.ClientIp, out);
    else if (!startsWith(p, len, at, "no matching ")) fromAddress(p, len, out); // "no matching mac found: client <offer> server <offer>"
    return true;
  }
  // Received disconnect from <ip>[ port <n>]:<code>: <text> [preauth]: the client gave up before
  // authenticating; "Auth fail" is a client (JSch) saying its password was refused.
  if (startsWith(p, len, at, "Received disconnect from ")) {
    if (indexOf(p, len, at, "Auth fail") >= 0) out.constant(Field.AuthResult, FAILURE);
    else if (indexOf(p, len, at, "[preauth]") >= 0) out.constant(Field.EventType, SSH_PREAUTH_DISCONNECT);
    else return false;
    token(p, len, at + 25, Field.ClientIp, out);
    return true;
  }
  // Read from socket failed: Connection reset by peer [preauth]
  if (startsWith(p, len, at, "Read from socket failed: ") && indexOf(p, len, at, "[preauth]") >= 0) {
    out.constant(Field.EventType, SSH_PREAUTH_DISCONNECT);
    return true;
  }
  // sudo: "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash"
  i = indexOf(p, len, 0, " : ");
  if (i > 0 && indexOf(p, len, i, "COMMAND=") >= 0) {
    out.constant(Field.EventType, SUDO);
    let userAt = 0;
    while (userAt < i && isBlank(<u32>load<u8>(p + <usize>userAt))) userAt++;
    out.set(Field.AuthUser, p + <usize>userAt, i - userAt);
    out.constant(Field.AuthResult, indexOf(p, len, i, "incorrect password") >= 0 ? FAILURE : SUCCESS);
    return true;
  }
  return false;
}

/**
 * After "PAM: ": where the user starts for "Authentication failure for ",
 * "authentication error for " (either case), or minus where it starts for
 * "User not known to the underlying authentication module for "; 0 for
 * other PAM messages.
 */
function pamUserAt(p: usize, len: i32, at: i32): i32 {
  if (at >= len) return 0;
  const a = <u32>load<u8>(p + <usize>at);
  if (a == 0x41 || a == 0x61) {
    if (startsWith(p, len, at + 1, "uthentication failure for ")) return at + 27;
    if (startsWith(p, len, at + 1, "uthentication error for ")) return at + 25;
  }
  if (startsWith(p, len, at, "User not known to the underlying authentication module for ")) return -(at + 59);
  return 0;
}

/** After "Connection closed by ", "Connection reset by ", "Disconnecting ", "Disconnected from ": where the rest starts, or 0. */
function connectionVerb(p: usize, len: i32, at: i32): i32 {
  if (startsWith(p, len, at, "Connection closed by ")) return at + 21;
  if (startsWith(p, len, at, "Connection reset by ")) return at + 20;
  if (startsWith(p, len, at, "Disconnecting ")) return at + 14;
  if (startsWith(p, len, at, "Disconnected from ")) return at + 18;
  return 0;
}
