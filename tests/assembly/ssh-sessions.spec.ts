// The sshd address memory (assembly/record/raw/sessions.ts) and the sshd
// lines it reads, against README "Records that hold only the raw line": an
// sshd line without the client's address takes the one an earlier line of
// the same process (host, program, pid) named; an address-less event seen
// before any address waits, and the next line of that process that names the
// client and says nothing of its own carries it. The memory holds at most
// SSH_SESSIONS processes, counts what it gives up, and learns only when told.
import { parseAuthMessage } from "../../assembly/record/raw/auth";
import { parseSyslog } from "../../assembly/record/raw/syslog";
import { SshSessions, SSH_SESSIONS, ADDRESS_BYTES } from "../../assembly/record/raw/sessions";
import { FieldSink } from "../../assembly/record/sink";
import { Members, IN_LINE } from "../../assembly/record/members";
import { Field } from "../../assembly/runtime/schema";
import { NO_TIME } from "../../assembly/record/raw/time";
import { bytes, utc, memberText } from "./helpers";

let members = new Members(<i32>Field.Count);
let sessions = new SshSessions();

/** Reads one syslog line; `learn`: as the filter does after reading a record (explain does not). */
function line(s: string, learn: bool = true): void {
  members = new Members(<i32>Field.Count);
  const sink = new FieldSink(members);
  sink.time = NO_TIME;
  sink.flags = IN_LINE; // as the record reader reads a raw line
  const b = bytes(s);
  expect(parseSyslog(b.ptr, b.len, utc(2026, 11, 20, 0, 0, 0), sink, sessions)).toBe(true);
  if (learn) sessions.learn();
}

function auth(message: string): bool {
  members = new Members(<i32>Field.Count);
  const b = bytes(message);
  return parseAuthMessage(b.ptr, b.len, new FieldSink(members));
}

function field(f: Field): string {
  return memberText(members, <i32>f);
}

describe("sshd lines that name the client and nothing else", () => {
  it("Connection from (LogLevel VERBOSE), with or without the local address: ssh_connection", () => {
    expect(auth("Connection from 192.0.2.10 port 62004 on 192.0.2.10 port 22 rdomain \"\"")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.10");
    expect(field(Field.EventType)).toBe("ssh_connection");
    expect(field(Field.AuthResult)).toBe("(absent)");
    expect(auth("Connection from 2001:db8::5 port 51353")).toBe(true);
    expect(field(Field.ClientIp)).toBe("2001:db8::5");
  });

  it("a patched sshd's connection log: SSH: Server;Ltype: ...;Remote: <ip>-<port>;", () => {
    expect(auth("SSH: Server;Ltype: Kex;Remote: 127.0.0.1-1780;Enc: aes128-ctr;MAC: hmac-sha1;Comp: none [preauth]")).toBe(true);
    expect(field(Field.ClientIp)).toBe("127.0.0.1");
    expect(field(Field.EventType)).toBe("ssh_connection");
    expect(auth("SSH: Server;Ltype: Version;Protocol: 2.0")).toBe(false);
  });

  it("a connection closed without [preauth]: its address only, when it is one", () => {
    expect(auth("Connection closed by 192.0.2.15 port 35352")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.15");
    expect(field(Field.EventType)).toBe("(absent)");
    expect(auth("Connection reset by ::ffff:192.0.2.16 port 51280")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.16");
    expect(auth("Connection reset by peer")).toBe(false);
    expect(auth("Connection closed by remote host")).toBe(false);
    expect(field(Field.ClientIp)).toBe("(absent)");
  });
});

describe("where a failed or accepted login's address is read", () => {
  it("an existing account: the address after its one-token name, whatever the client added after the port", () => {
    expect(auth("Failed password for user from 127.0.0.1 port 20000 ssh1: ruser from 1.2.3.4")).toBe(true);
    expect(field(Field.ClientIp)).toBe("127.0.0.1");
    expect(field(Field.AuthUser)).toBe("user");
    expect(auth("Accepted publickey for git from 2001:db8::9 port 50000 ssh2: ED25519 SHA256:AAAA")).toBe(true);
    expect(field(Field.ClientIp)).toBe("2001:db8::9");
    expect(field(Field.AuthUser)).toBe("git");
  });

  it("an account name with a blank (directory services): the last address", () => {
    expect(auth("Failed password for John Smith from 192.0.2.30 port 4000 ssh2")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.30");
    expect(field(Field.AuthUser)).toBe("John Smith");
  });

  it("an invalid user: the name is the client's, so the last address", () => {
    expect(auth("Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 192.0.2.31 port 4001 ssh2")).toBe(true);
    expect(field(Field.ClientIp)).toBe("192.0.2.31");
    expect(field(Field.AuthUser)).toBe("x from 6.6.6.6 port 1 ssh2");
  });
});

describe("the sshd address memory", () => {
  beforeEach(() => {
    sessions = new SshSessions();
  });

  it("lends the address a process named before to its later lines without one", () => {
    line("Feb 12 04:09:18 localhost sshd[26713]: Connection from 115.249.163.77 port 51353 on 127.0.0.1 port 22");
    line("Feb 12 04:09:21 localhost sshd[26713]: Disconnecting: Too many authentication failures for root [preauth]");
    expect(field(Field.ClientIp)).toBe("115.249.163.77");
    expect(field(Field.EventType)).toBe("ssh_preauth_disconnect");
    expect(field(Field.AuthUser)).toBe("root");
    line("Feb 12 04:09:21 localhost sshd[26713]: fatal: Unable to negotiate a key exchange method [preauth]");
    expect(field(Field.ClientIp)).toBe("115.249.163.77");
    expect(sessions.used).toBe(1);
  });

  it("the newest address of the process counts", () => {
    line("Jun  7 04:29:10 host sshd[649]: Connection from 192.0.2.16 port 51280 on 192.0.2.1 port 22");
    line("Jun  7 04:29:11 host sshd[649]: Connection from 192.0.2.17 port 51281 on 192.0.2.1 port 22");
    line("Jun  7 04:29:12 host sshd[649]: error: kex_exchange_identification: read: Connection reset by peer");
    expect(field(Field.ClientIp)).toBe("192.0.2.17");
    expect(sessions.used).toBe(1);
  });

  it("another pid, another host, a program that is not sshd, or no pid: nothing lent", () => {
    line("Feb 12 04:09:18 web1 sshd[100]: Connection from 192.0.2.40 port 4000 on 192.0.2.1 port 22");
    line("Feb 12 04:09:19 web1 sshd[101]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    line("Feb 12 04:09:19 web2 sshd[100]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    line("Feb 12 04:09:20 web1 sshdfoo[100]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    line("Feb 12 04:09:20 web1 dropbear[200]: Connection from 192.0.2.41 port 4000 on 192.0.2.1 port 22");
    line("Feb 12 04:09:21 web1 dropbear[200]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    line("<38>1 2026-11-20T10:00:00Z web1 sshd - - - Connection from 192.0.2.42 port 4000 on 192.0.2.1 port 22");
    line("<38>1 2026-11-20T10:00:01Z web1 sshd - - - Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
  });

  it("sshd-session (OpenSSH 9.8 and later) and RFC 5424 lines have processes too", () => {
    line("<38>1 2026-11-20T10:00:00Z web1 sshd-session 4242 - - Connection from 192.0.2.43 port 4000 on 192.0.2.1 port 22");
    line("<38>1 2026-11-20T10:00:01Z web1 sshd-session 4242 - - fatal: Read from socket failed: Connection reset by peer [preauth]");
    expect(field(Field.ClientIp)).toBe("192.0.2.43");
  });

  it("a line's own address is never replaced", () => {
    line("Feb 12 04:09:18 web1 sshd[300]: Connection from 192.0.2.50 port 4000 on 192.0.2.1 port 22");
    line("Feb 12 04:09:19 web1 sshd[300]: Invalid user admin from 192.0.2.51 port 4000");
    expect(field(Field.ClientIp)).toBe("192.0.2.51");
  });

  it("reading without learning (explain) changes nothing", () => {
    line("Feb 12 04:09:18 web1 sshd[400]: Connection from 192.0.2.60 port 4000 on 192.0.2.1 port 22", false);
    line("Feb 12 04:09:19 web1 sshd[400]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    expect(sessions.used).toBe(1); // the waiting event of the second line
  });

  it("an event before any address waits for the next line that names the client and says nothing else", () => {
    line("Jun  7 04:10:35 host sshd[424228]: error: kex_exchange_identification: Connection closed by remote host");
    expect(field(Field.ClientIp)).toBe("(absent)");
    expect(field(Field.EventType)).toBe("ssh_protocol");
    line("Jun  7 04:10:35 host sshd[424228]: Connection closed by 192.0.2.15 port 35352");
    expect(field(Field.ClientIp)).toBe("192.0.2.15");
    expect(field(Field.EventType)).toBe("ssh_protocol");
    // Answered: the next line is only an address again, and later address-less lines borrow it.
    line("Jun  7 04:10:36 host sshd[424228]: Connection reset by 192.0.2.15 port 35352");
    expect(field(Field.EventType)).toBe("(absent)");
    line("Jun  7 04:10:37 host sshd[424228]: fatal: Read from socket failed: Connection reset by peer [preauth]");
    expect(field(Field.ClientIp)).toBe("192.0.2.15");
  });

  it("a waiting event is answered only within two minutes of event time, and never by a new connection", () => {
    line("Jun  7 04:10:00 host sshd[700]: error: kex_exchange_identification: Connection closed by remote host");
    line("Jun  7 04:12:00 host sshd[700]: Connection closed by 192.0.2.71 port 4000");
    expect(field(Field.EventType)).toBe("ssh_protocol"); // 120 s: still the same connection
    line("Jun  7 04:10:00 host sshd[701]: error: kex_exchange_identification: Connection closed by remote host");
    line("Jun  7 04:12:01 host sshd[701]: Connection closed by 192.0.2.72 port 4000");
    expect(field(Field.EventType)).toBe("(absent)"); // 121 s: a new process with the same pid
    line("Jun  7 04:10:00 host sshd[702]: error: kex_exchange_identification: Connection closed by remote host");
    line("Jun  7 04:10:01 host sshd[702]: Connection from 192.0.2.73 port 4000 on 192.0.2.1 port 22");
    expect(field(Field.EventType)).toBe("ssh_connection"); // a new connection reusing the pid
    line("Jun  7 04:10:02 host sshd[702]: Connection closed by 192.0.2.73 port 4000");
    expect(field(Field.EventType)).toBe("(absent)");
  });

  it("a waiting event is not added to a line that has an outcome of its own", () => {
    line("Jun  7 04:10:35 host sshd[500]: error: kex_exchange_identification: client sent invalid protocol identifier \"\"");
    line("Jun  7 04:10:36 host sshd[500]: Invalid user admin from 192.0.2.70 port 4000");
    expect(field(Field.AuthResult)).toBe("invalid_user");
    expect(field(Field.EventType)).toBe("(absent)");
    line("Jun  7 04:10:37 host sshd[500]: Connection closed by 192.0.2.70 port 4000");
    expect(field(Field.EventType)).toBe("(absent)");
  });

  it("an address longer than it keeps is counted, not kept", () => {
    const long = "a".repeat(ADDRESS_BYTES + 1);
    line("Feb 12 04:09:18 web1 sshd[600]: Connection from " + long + " port 4000 on 192.0.2.1 port 22");
    line("Feb 12 04:09:19 web1 sshd[600]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
    expect(sessions.tooLong).toBe(1);
  });

  it("holds at most SSH_SESSIONS processes; each new one beyond takes a place or evicts one, counted", () => {
    const n = 8 * SSH_SESSIONS;
    for (let pid = 1; pid <= n; pid++) line("Feb 12 04:09:18 web1 sshd[" + pid.toString() + "]: Connection from 192.0.2.80 port 4000 on 192.0.2.1 port 22");
    expect(sessions.used).toBeLessThanOrEqual(SSH_SESSIONS);
    expect(sessions.used + sessions.evictions).toBe(n);
    expect(sessions.evictions).toBeGreaterThan(0);
    // The newest process is always held; the first, with thousands after it, is gone.
    line("Feb 12 04:09:19 web1 sshd[" + n.toString() + "]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("192.0.2.80");
    line("Feb 12 04:09:19 web1 sshd[1]: Disconnecting: Too many authentication failures [preauth]");
    expect(field(Field.ClientIp)).toBe("(absent)");
  });
});
