// sshd writes some lines of a connection without the client's address
// ("Disconnecting: Too many authentication failures [preauth]", "fatal: Read
// from socket failed: Connection reset by peer [preauth]", "error:
// kex_exchange_identification: ...", "fatal: Unable to negotiate a key
// exchange method [preauth]"). Another line of the same process names it:
//   - before ("Connection from <ip> port <n> on ...", "Failed password ...
//     from <ip>"): the later line without an address borrows it;
//   - only after ("error: kex_exchange_identification: Connection closed by
//     remote host", then "Connection closed by <ip> port <n>", OpenSSH 8.2
//     and later at the default log level): the address-less line's
//     event_type waits, and the next line that names the client and says
//     nothing of its own carries it, if it comes within WAIT_MS of event
//     time (sshd's default LoginGraceTime: an unauthenticated connection is
//     gone by then, and a later line is a new process with the same pid).
// This memory maps host + program + pid to the address the last sshd line of
// that process carried, or to the event waiting for one.
//
// Fixed size: a key hashes to a bucket of WAYS entries; a full bucket gives
// up the entry heard from longest ago (counted in `evictions`). "Ago" counts
// lines, never wall time. Addresses longer than ADDRESS_BYTES are not kept
// (counted in `tooLong`). Reading a line only looks up (`explain` changes no
// state); `learn` keeps what the line just read offered.
import { Field, ShapeKey } from "../../runtime/schema";
import { startsWith } from "../../runtime/span";
import { isDigit } from "../../runtime/ascii";
import { hashBytes, mix64 } from "../../runtime/hash";
import { Members, Kind, IN_LINE, ESCAPED } from "../members";
import { FieldSink } from "../sink";

export const SSH_SESSIONS = 1024;
const WAYS = 4;
const BUCKETS = SSH_SESSIONS / WAYS;
export const ADDRESS_BYTES = 64;
export const WAIT_MS: i64 = 120_000;

/** The memory's key for a line of an sshd process (program "sshd", "sshd-session", ...); 0 when it is none. */
export function sessionKey(host: usize, hostLen: i32, program: usize, programLen: i32, pid: usize, pidLen: i32): u64 {
  // RFC 5424 writes "-" for no pid: such lines share no process.
  if (pidLen <= 0 || !isDigit(<u32>load<u8>(pid)) || !startsWith(program, programLen, 0, "sshd")) return 0;
  // Lengths are mixed in so that host "ab" + pid "1" differs from host "a" + pid "b1".
  let h = hashBytes(0x9e3779b97f4a7c15, host, hostLen) ^ <u64>hostLen;
  h = hashBytes(mix64(h), program, programLen) ^ <u64>programLen;
  h = hashBytes(mix64(h), pid, pidLen) ^ <u64>pidLen;
  h = mix64(h);
  return h == 0 ? 1 : h;
}

/**
 * The key of a record of Fluent Bit's syslog parser (its host, ident and pid
 * members); 0 when it is none, or when one of them holds JSON escapes (a
 * host name or pid never does).
 */
export function parsedSessionKey(m: Members): u64 {
  const host = <i32>Field.Host;
  const ident = <i32>ShapeKey.Ident;
  const pid = <i32>Field.Pid;
  if (!isPlain(m, ident) || !(isPlain(m, pid) || m.kind(pid) == Kind.Number)) return 0;
  if (m.kind(host) != Kind.Absent && !isPlain(m, host)) return 0;
  // String values without their quotes; a number as it is written.
  const pidQuoted: i32 = m.kind(pid) == Kind.String ? 1 : 0;
  const hostLen = m.kind(host) == Kind.Absent ? 0 : <i32>(m.end(host) - m.start(host)) - 2;
  return sessionKey(
    m.start(host) + 1, hostLen,
    m.start(ident) + 1, <i32>(m.end(ident) - m.start(ident)) - 2,
    m.start(pid) + <usize>pidQuoted, <i32>(m.end(pid) - m.start(pid)) - 2 * pidQuoted,
  );
}

function isPlain(m: Members, key: i32): bool {
  return m.kind(key) == Kind.String && (m.flags(key) & ESCAPED) == 0;
}

/** The event_type the parser set as a fixed word (static bytes, flags 0); 0 when none. */
function staticEvent(m: Members): usize {
  const e = <i32>Field.EventType;
  return m.kind(e) == Kind.Text && m.flags(e) == 0 ? m.start(e) : 0;
}

export class SshSessions {
  /** Entries held, entries given up for a newer process, addresses too long to keep. */
  used: i64 = 0;
  evictions: i64 = 0;
  tooLong: i64 = 0;
  private keys: StaticArray<u64> = new StaticArray<u64>(SSH_SESSIONS); // 0: empty
  private heard: StaticArray<u64> = new StaticArray<u64>(SSH_SESSIONS);
  /** Address length; 0 while the process has named none. */
  private lengths: StaticArray<i32> = new StaticArray<i32>(SSH_SESSIONS);
  /** An event_type (static word) waiting for the process's address, and its length; 0 for none. */
  private events: StaticArray<usize> = new StaticArray<usize>(SSH_SESSIONS);
  private eventLengths: StaticArray<i32> = new StaticArray<i32>(SSH_SESSIONS);
  /** When the waiting event happened (event time, ms). */
  private eventTimes: StaticArray<i64> = new StaticArray<i64>(SSH_SESSIONS);
  // 8 bytes of slack after the last address: the matchers load 8 bytes at a time.
  private addresses: usize = heap.alloc(<usize>(SSH_SESSIONS * ADDRESS_BYTES + 8));
  private lines: u64 = 0;
  // What the line just read offered: its key, and its address (in the line buffer) or its waiting event.
  private offeredKey: u64 = 0;
  private offeredAt: usize = 0;
  private offeredLength: i32 = 0;
  private offeredEvent: usize = 0;
  private offeredEventLength: i32 = 0;
  private offeredTime: i64 = 0;

  /** A new record: nothing offered yet. */
  @inline begin(): void {
    this.offeredKey = 0;
  }

  /**
   * After the auth reader read an sshd line with key `key`. A line with an
   * address offers it for `learn`, and carries the process's waiting event
   * when it has none of its own. A line without one gets the process's
   * address, or, when none is known yet, offers its event to wait for it.
   */
  attend(key: u64, time: i64, out: FieldSink): void {
    const m = out.members;
    const ip = <i32>Field.ClientIp;
    const k = this.find(key);
    this.offeredTime = time;
    if (m.kind(ip) == Kind.Text && (m.flags(ip) & IN_LINE) != 0) {
      this.offer(key, m.start(ip), <i32>(m.end(ip) - m.start(ip)), 0, 0);
      if (k >= 0 && unchecked(this.events[k]) != 0 && !m.has(<i32>Field.EventType) && !m.has(<i32>Field.AuthResult)) {
        const since = time - unchecked(this.eventTimes[k]);
        if (since >= -WAIT_MS && since <= WAIT_MS) m.fill(<i32>Field.EventType, unchecked(this.events[k]), unchecked(this.eventLengths[k]), 0);
      }
      return;
    }
    if (m.kind(ip) != Kind.Absent) return;
    // Static bytes (flags 0): not part of the line, so redaction leaves them alone.
    if (k >= 0 && unchecked(this.lengths[k]) > 0) {
      m.fill(ip, this.addresses + <usize>(k * ADDRESS_BYTES), unchecked(this.lengths[k]), 0);
      return;
    }
    const event = staticEvent(m);
    if (event != 0) this.offer(key, 0, 0, event, <i32>(m.end(<i32>Field.EventType) - event));
  }

  /** Keeps what the record just read offered (call once per record, after reading it). */
  learn(): void {
    const key = this.offeredKey;
    if (key == 0) return;
    this.offeredKey = 0;
    const n = this.offeredLength;
    if (n > ADDRESS_BYTES) {
      this.tooLong++;
      return;
    }
    let k = this.find(key);
    if (k < 0) k = this.claim(key);
    this.lines++;
    unchecked((this.heard[k] = this.lines));
    unchecked((this.lengths[k] = n));
    // An address answers the waiting event (the line that named it carried it); an event waits anew.
    unchecked((this.events[k] = this.offeredEvent));
    unchecked((this.eventLengths[k] = this.offeredEventLength));
    unchecked((this.eventTimes[k] = this.offeredTime));
    if (n > 0) memory.copy(this.addresses + <usize>(k * ADDRESS_BYTES), this.offeredAt, <usize>n);
  }

  private offer(key: u64, at: usize, length: i32, event: usize, eventLength: i32): void {
    this.offeredKey = key;
    this.offeredAt = at;
    this.offeredLength = length;
    this.offeredEvent = event;
    this.offeredEventLength = eventLength;
  }

  private find(key: u64): i32 {
    const first = <i32>(key % <u64>BUCKETS) * WAYS;
    for (let k = first; k < first + WAYS; k++) if (unchecked(this.keys[k]) == key) return k;
    return -1;
  }

  /** An entry for `key` in its bucket: an empty one, else the one heard from longest ago. */
  private claim(key: u64): i32 {
    const first = <i32>(key % <u64>BUCKETS) * WAYS;
    let oldest = first;
    for (let k = first; k < first + WAYS; k++) {
      if (unchecked(this.keys[k]) == 0) {
        oldest = k;
        break;
      }
      if (unchecked(this.heard[k]) < unchecked(this.heard[oldest])) oldest = k;
    }
    if (unchecked(this.keys[oldest]) == 0) this.used++;
    else this.evictions++;
    unchecked((this.keys[oldest] = key));
    return oldest;
  }
}
