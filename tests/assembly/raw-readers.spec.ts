// The field readers for sshd/PAM/sudo messages (assembly/record/raw/auth.ts)
// and Apache/nginx error lines (assembly/record/raw/error.ts), against what
// those programs write (OpenSSH's auth.c/auth2.c log lines, pam_unix, sudo's
// log format, Apache's ErrorLogFormat default and nginx's error log) and
// README "Records that hold only the raw line": auth_result is failure,
// success or invalid_user; addresses and users come from where the format
// puts them, not from text an attacker controls.
import { parseAuthMessage } from "../../assembly/record/raw/auth";
import { parseErrorLine } from "../../assembly/record/raw/error";
import { parseSyslog } from "../../assembly/record/raw/syslog";
import { FieldSink } from "../../assembly/record/sink";
import { Members } from "../../assembly/record/members";
import { Field } from "../../assembly/runtime/schema";
import { NO_TIME } from "../../assembly/record/raw/time";
import { bytes, utc, memberText } from "./helpers";

let members = new Members(<i32>Field.Count);
let sink = new FieldSink(members);

function fresh(): void {
  members = new Members(<i32>Field.Count);
  sink = new FieldSink(members);
  sink.time = NO_TIME;
}

function auth(message: string): bool {
  fresh();
  const b = bytes(message);
  return parseAuthMessage(b.ptr, b.len, sink);
}

function errorLine(line: string): bool {
  fresh();
  const b = bytes(line);
  return parseErrorLine(b.ptr, b.len, sink);
}

function syslogLine(line: string): bool {
  fresh();
  const b = bytes(line);
  return parseSyslog(b.ptr, b.len, utc(2026, 11, 20, 0, 0, 0), sink);
}

/** A field's value, or "(absent)". */
function field(f: Field): string {
  return memberText(members, <i32>f);
}

describe("sshd, PAM and sudo messages", () => {
  it("a failed password", () => {
    expect(auth("Failed password for root from 203.0.113.9 port 52311 ssh2")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.AuthMethod)).toBe("password");
    expect(field(Field.AuthUser)).toBe("root");
    expect(field(Field.ClientIp)).toBe("203.0.113.9");
  });

  it("a failed password for a user that does not exist", () => {
    expect(auth("Failed password for invalid user admin from 198.51.100.4 port 22 ssh2")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.AuthUser)).toBe("admin");
    expect(field(Field.ClientIp)).toBe("198.51.100.4");
  });

  it("an accepted key, IPv6 client", () => {
    expect(auth("Accepted publickey for alice from 2001:db8::7 port 50000 ssh2: RSA SHA256:x9TkP")).toBe(true);
    expect(field(Field.AuthResult)).toBe("success");
    expect(field(Field.AuthMethod)).toBe("publickey");
    expect(field(Field.AuthUser)).toBe("alice");
    expect(field(Field.ClientIp)).toBe("2001:db8::7");
  });

  it("an invalid user", () => {
    expect(auth("Invalid user test from 192.0.2.5 port 4122")).toBe(true);
    expect(field(Field.AuthResult)).toBe("invalid_user");
    expect(field(Field.AuthUser)).toBe("test");
    expect(field(Field.ClientIp)).toBe("192.0.2.5");
  });

  it("the address comes from the end: a user name cannot inject one", () => {
    expect(auth("Failed password for invalid user x from 6.6.6.6 from 192.0.2.9 port 22 ssh2")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.9");
  });

  it("pam_unix authentication failure: sshd's own is no attempt (its Failed line is), another service's is", () => {
    expect(auth("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.44  user=root")).toBe(true);
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(field(Field.ClientIp)).toBe("192.0.2.44");
    expect(field(Field.AuthUser)).toBe("root");
    expect(auth("pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=bob rhost=192.0.2.45  user=bob")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.ClientIp)).toBe("192.0.2.45");
  });

  it("PAM: the tried user name, written last, cannot move the address", () => {
    expect(auth("pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser= rhost=192.0.2.2 user=test rhost=192.0.2.152")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.2");
    expect(field(Field.AuthUser)).toBe("test");
  });

  it("PAM messages of sshd on BSD and macOS, either case; an unknown user", () => {
    expect(auth("error: PAM: authentication error for james from 205.186.180.100 via 192.168.1.201")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.AuthUser)).toBe("james");
    expect(field(Field.ClientIp)).toBe("205.186.180.100");
    expect(auth("error: PAM: Authentication failure for illegal user kim from 192.0.2.3")).toBe(true);
    expect(field(Field.AuthUser)).toBe("kim");
    expect(auth("error: PAM: User not known to the underlying authentication module for illegal user kernelitshell from 10.215.4.227")).toBe(true);
    expect(field(Field.AuthResult)).toBe("invalid_user");
    expect(field(Field.AuthUser)).toBe("kernelitshell");
    expect(field(Field.ClientIp)).toBe("10.215.4.227");
  });

  it("Failed publickey is read as it is (a failure by publickey); the rules decide what counts", () => {
    expect(auth("Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff:01")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.AuthMethod)).toBe("publickey");
    expect(field(Field.AuthUser)).toBe("git");
  });

  it("Solaris' [ID ...] tag before the message", () => {
    expect(auth("[ID 800047 auth.info] Failed keyboard-interactive for <invalid username> from 205.186.180.55 port 42742 ssh2")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.AuthMethod)).toBe("keyboard-interactive");
    expect(field(Field.ClientIp)).toBe("205.186.180.55");
  });

  it("IPv4-mapped addresses are read as IPv4", () => {
    expect(auth("ROOT LOGIN REFUSED FROM ::ffff:1.2.3.4")).toBe(true);
    expect(field(Field.ClientIp)).toBe("1.2.3.4");
    expect(auth("Failed password for root from ::ffff:192.0.2.8 port 22 ssh2")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.8");
    expect(auth("Failed password for root from ::ffff:c000:208 port 22 ssh2")).toBe(true);
    expect(field(Field.ClientIp)).toBe("::ffff:c000:208");
  });

  it("logins refused by policy: an event_type, no auth_result", () => {
    expect(auth("User root from 211.188.220.49 not allowed because not listed in AllowUsers")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_login_refused");
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(field(Field.AuthUser)).toBe("root");
    expect(field(Field.ClientIp)).toBe("211.188.220.49");
    expect(auth("ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_login_refused");
    expect(field(Field.AuthUser)).toBe("root");
    expect(field(Field.ClientIp)).toBe("1.2.3.4");
    expect(auth("refused connect from _U2FsdGVkX19P3BCJmFBHhjLza8BcMH06WCUVwttMHpE=_@::ffff:218.249.210.161 (::ffff:218.249.210.161)")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_login_refused");
    expect(field(Field.ClientIp)).toBe("218.249.210.161");
  });

  it("connections ending before authentication: ssh_preauth_disconnect, no auth_result", () => {
    expect(auth("Connection closed by authenticating user test 127.0.0.1 192.0.2.11 port 46039 [preauth]")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_preauth_disconnect");
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(field(Field.ClientIp)).toBe("192.0.2.11");
    expect(auth("Connection reset by 192.0.2.39 port 14282 [preauth]")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.39");
    expect(auth("error: maximum authentication attempts exceeded for root from 61.0.0.1 port 49940 ssh2 [preauth]")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_preauth_disconnect");
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(field(Field.AuthUser)).toBe("root");
    expect(field(Field.ClientIp)).toBe("61.0.0.1");
    expect(auth("Disconnecting: Too many authentication failures for root [preauth]")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_preauth_disconnect");
    expect(field(Field.AuthUser)).toBe("root");
    expect(field(Field.ClientIp)).toBe("(absent)");
    expect(auth("error: Received disconnect from 198.51.100.34: 11: Bye Bye [preauth]")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_preauth_disconnect");
    expect(field(Field.ClientIp)).toBe("198.51.100.34");
    expect(auth("Received disconnect from 192.168.2.92 port 1684:14: No supported authentication methods available [preauth]")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.168.2.92");
  });

  it("a logged-in user leaving is no pre-authentication event", () => {
    expect(auth("Disconnected from user alice 198.51.100.20 port 50022")).toBe(false);
    expect(auth("Received disconnect from 198.51.100.20 port 50022:11: disconnected by user")).toBe(false);
    expect(field(Field.EventType)).toBe("(absent)");
  });

  it("a client saying its password was refused (JSch) is a failure", () => {
    expect(auth("Received disconnect from 89.24.13.192: 3: com.jcraft.jsch.JSchException: Auth fail")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.ClientIp)).toBe("89.24.13.192");
  });

  it("protocol noise: ssh_protocol", () => {
    expect(auth("Did not receive identification string from 69.61.56.114")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_protocol");
    expect(field(Field.ClientIp)).toBe("69.61.56.114");
    expect(auth("Bad protocol version identification 'dummy string' from 192.0.2.1' from 69.61.56.115 port 31778")).toBe(true);
    expect(field(Field.ClientIp)).toBe("69.61.56.115");
    expect(auth("banner exchange: Connection from 192.0.2.12 port 44105: invalid format")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_protocol");
    expect(field(Field.ClientIp)).toBe("192.0.2.12");
    expect(auth("fatal: Unable to negotiate with 192.0.2.2 port 55419: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.2");
    expect(auth("fatal: no matching mac found: client hmac-a server hmac-b")).toBe(true);
    expect(field(Field.EventType)).toBe("ssh_protocol");
    expect(field(Field.ClientIp)).toBe("(absent)");
  });

  it("sudo: a command run, and incorrect passwords", () => {
    expect(auth("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash")).toBe(true);
    expect(field(Field.EventType)).toBe("sudo");
    expect(field(Field.AuthUser)).toBe("alice");
    expect(field(Field.AuthResult)).toBe("success");
    expect(auth("bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/id")).toBe(true);
    expect(field(Field.AuthUser)).toBe("bob");
    expect(field(Field.AuthResult)).toBe("failure");
  });

  it("other messages are no authentication event and set nothing", () => {
    expect(auth("Server listening on 0.0.0.0 port 22.")).toBe(false);
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(field(Field.ClientIp)).toBe("(absent)");
    expect(auth("(root) CMD (run-parts /etc/cron.hourly)")).toBe(false);
    expect(field(Field.AuthUser)).toBe("(absent)");
  });
});

describe("Apache and nginx error lines", () => {
  it("Apache 2.4 with module, pid, client and port, AH code and user", () => {
    expect(errorLine('[Wed Oct 11 14:32:52.123456 2026] [auth_basic:error] [pid 35708:tid 43] [client 192.0.2.7:52311] AH01617: user alice: authentication failure for "/private": Password Mismatch')).toBe(true);
    expect(field(Field.Format)).toBe("error");
    expect(field(Field.Level)).toBe("auth_basic:error");
    expect(field(Field.Module)).toBe("auth_basic");
    expect(field(Field.ClientIp)).toBe("192.0.2.7");
    expect(field(Field.ErrorCode)).toBe("AH01617");
    expect(field(Field.User)).toBe("alice");
    expect(field(Field.Message)).toBe('AH01617: user alice: authentication failure for "/private": Password Mismatch');
    expect(sink.time).toBe(utc(2026, 10, 11, 14, 32, 52, 123));
  });

  it("Apache 2.2 without module or port", () => {
    expect(errorLine("[Wed Oct 11 14:32:52 2026] [error] [client 192.0.2.7] client denied by server configuration: /srv/www/x")).toBe(true);
    expect(field(Field.Level)).toBe("error");
    expect(field(Field.Module)).toBe("(absent)");
    expect(field(Field.ClientIp)).toBe("192.0.2.7");
    expect(field(Field.User)).toBe("(absent)");
    expect(field(Field.Message)).toBe("client denied by server configuration: /srv/www/x");
  });

  it("an IPv6 client in brackets with a port", () => {
    expect(errorLine("[Wed Oct 11 14:32:52 2026] [error] [client [2001:db8::1]:443] File does not exist: /x")).toBe(true);
    expect(field(Field.ClientIp)).toBe("2001:db8::1");
    expect(field(Field.Message)).toBe("File does not exist: /x");
  });

  it("the client is read only among the leading groups: the message cannot inject one", () => {
    expect(errorLine("[Wed Oct 11 14:32:52 2026] [error] [client 192.0.2.7] File does not exist: /[client 6.6.6.6]")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.7");
  });

  it("nginx with its trailer", () => {
    expect(errorLine('2026/11/20 10:00:00 [error] 812#812: *7 user "alice" was not found in "/etc/nginx/.htpasswd", client: 192.0.2.7, server: example.com, request: "GET /private HTTP/1.1", host: "example.com"')).toBe(true);
    expect(field(Field.Format)).toBe("error");
    expect(field(Field.Level)).toBe("error");
    expect(field(Field.User)).toBe("alice");
    expect(field(Field.ClientIp)).toBe("192.0.2.7");
    expect(field(Field.Method)).toBe("GET");
    expect(field(Field.Path)).toBe("/private");
    expect(field(Field.Protocol)).toBe("HTTP/1.1");
    expect(field(Field.Vhost)).toBe("example.com");
    expect(field(Field.Message)).toBe('user "alice" was not found in "/etc/nginx/.htpasswd"');
    expect(sink.time).toBe(utc(2026, 11, 20, 10, 0, 0));
  });

  it("nginx with a referrer", () => {
    expect(errorLine('2026/11/20 10:00:00 [warn] 1#0: *1 an upstream response is buffered, client: 198.51.100.3, server: example.com, request: "POST /upload HTTP/1.1", host: "example.com", referrer: "https://example.com/"')).toBe(true);
    expect(field(Field.Level)).toBe("warn");
    expect(field(Field.Referer)).toBe("https://example.com/");
    expect(field(Field.ClientIp)).toBe("198.51.100.3");
  });

  it("other lines are not error lines", () => {
    expect(errorLine("Nov 20 10:00:00 web1 sshd[1]: Failed password for root from 1.2.3.4 port 1 ssh2")).toBe(false);
    expect(errorLine('203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5')).toBe(false);
  });
});

describe("syslog headers around these messages", () => {
  it("no hostname, the program in brackets, with or without a colon", () => {
    expect(syslogLine("Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed in AllowUsers")).toBe(true);
    expect(field(Field.Program)).toBe("sshd");
    expect(field(Field.Host)).toBe("(absent)");
    expect(field(Field.ClientIp)).toBe("211.188.220.49");
    expect(syslogLine("Jun 25 23:53:34 [sshd] User root from 1.2.3.4 not allowed because not listed in AllowUsers")).toBe(true);
    expect(field(Field.Program)).toBe("sshd");
    expect(field(Field.Message)).toBe("User root from 1.2.3.4 not allowed because not listed in AllowUsers");
  });

  it("RFC 5424 with several structured-data elements, a value holding brackets", () => {
    expect(syslogLine('<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality tzKnown="1" isSynced="0"][xxx@123 test="[brackets]"] Failed password for root from 192.0.2.2 port 22 ssh2')).toBe(true);
    expect(field(Field.Message)).toBe("Failed password for root from 192.0.2.2 port 22 ssh2");
    expect(field(Field.ClientIp)).toBe("192.0.2.2");
  });

  it("an Apache error line sent through syslog is an error-log record; other programs' brackets are not", () => {
    expect(syslogLine("Feb 15 16:23:40 srv httpd/backend1[22034]: [authz_core:error] [pid 22036] [client 192.0.2.2:59392] AH01630: client denied by server configuration: /home/www/x")).toBe(true);
    expect(field(Field.Format)).toBe("error");
    expect(field(Field.ClientIp)).toBe("192.0.2.2");
    expect(field(Field.ErrorCode)).toBe("AH01630");
    expect(field(Field.Message)).toBe("AH01630: client denied by server configuration: /home/www/x");
    expect(syslogLine("Nov 20 15:26:00 web4 kernel: [12345.678901] audit: privilege escalation attempt")).toBe(true);
    expect(field(Field.Format)).toBe("syslog");
    expect(field(Field.Level)).toBe("(absent)");
  });
});
