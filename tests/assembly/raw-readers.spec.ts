// The field readers for sshd/PAM/sudo messages (assembly/record/raw/auth.ts)
// and Apache/nginx error lines (assembly/record/raw/error.ts), against what
// those programs write (OpenSSH's auth.c/auth2.c log lines, pam_unix, sudo's
// log format, Apache's ErrorLogFormat default and nginx's error log) and
// README "Records that hold only the raw line": auth_result is failure,
// success or invalid_user; addresses and users come from where the format
// puts them, not from text an attacker controls.
import { parseAuthMessage } from "../../assembly/record/raw/auth";
import { parseErrorLine } from "../../assembly/record/raw/error";
import { FieldSink } from "../../assembly/record/sink";
import { Members, Kind } from "../../assembly/record/members";
import { Field } from "../../assembly/runtime/schema";
import { NO_TIME } from "../../assembly/record/raw/time";
import { bytes, text, utc } from "./helpers";

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

/** A field's value, or "(absent)". */
function field(f: Field): string {
  if (members.kind(<i32>f) == Kind.Absent) return "(absent)";
  return text(members.start(<i32>f), <i32>(members.end(<i32>f) - members.start(<i32>f)));
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

  it("pam_unix authentication failure", () => {
    expect(auth("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.44  user=root")).toBe(true);
    expect(field(Field.AuthResult)).toBe("failure");
    expect(field(Field.ClientIp)).toBe("192.0.2.44");
    expect(field(Field.AuthUser)).toBe("root");
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
