// The sshd address memory through the module (README "Records that hold only
// the raw line"): sshd lines without the client's address are counted under
// the address their process named, `explain` learns nothing, and the memory's
// size and evictions reach the module's report and the statistics record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor, namespaceOf } from "./helpers/modules.js";

const T0 = 1_800_000_000; // 2027-01-15T08:00:00Z
const stamp = (sec: number) => {
  const d = new Date(sec * 1000);
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${month} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 19)}`;
};
const line = (sec: number, pid: number, message: string) => JSON.stringify({ log: `${stamp(sec)} bastion sshd[${pid}]: ${message}` });

const DETECT = `
title: protocol probe
id: r-probe
level: low
detection:
  sel:
    event_type: [ssh_protocol, ssh_preauth_disconnect]
  ip:
    c-ip|exists: true
  condition: sel and ip
`;
// The correlation makes r-probe silent: listed only beside the alert it completes.
const CORRELATED = DETECT + `---
title: probes per address
id: c-probe
correlation: {type: event_count, rules: [r-probe], group-by: [c-ip], timespan: 5m, condition: {gte: 3}}
`;

test("address-less sshd lines count under the address their process named", () => {
  const host = hostFor(CORRELATED, { statsIntervalSec: 0 });
  const alerts: unknown[] = [];
  const send = (sec: number, pid: number, message: string) => {
    const ns = namespaceOf(host.call("logs", T0 + sec, line(sec, pid, message)));
    if (ns?.alerts) alerts.push(...(ns.alerts as unknown[]));
    return ns;
  };
  // Three connections of 192.0.2.50 that name it first, then fail without an address.
  for (const [i, pid] of [101, 102, 103].entries()) {
    assert.equal(send(i * 10, pid, "Connection from 192.0.2.50 port 4000 on 192.0.2.1 port 22"), undefined, "a connection alone is no event");
    send(i * 10 + 1, pid, "fatal: Unable to negotiate a key exchange method [preauth]");
  }
  assert.equal(alerts.length, 1);
  assert.equal((alerts[0] as { key: string }).key, "192.0.2.50");
  // Another process of the same host without a known address: not counted (nothing to count it under).
  for (let i = 0; i < 3; i++) send(40 + i, 999, "fatal: Unable to negotiate a key exchange method [preauth]");
  assert.equal(alerts.length, 1);
});

test("an event seen before any address is carried by the line that names the client", () => {
  const host = hostFor(DETECT, { statsIntervalSec: 0 });
  assert.equal(namespaceOf(host.call("logs", T0, line(0, 424228, "error: kex_exchange_identification: Connection closed by remote host"))), undefined);
  assert.deepEqual(namespaceOf(host.call("logs", T0, line(0, 424228, "Connection closed by 192.0.2.15 port 35352")))?.rules, ["r-probe"]);
  assert.equal(namespaceOf(host.call("logs", T0 + 1, line(1, 424228, "Connection closed by 192.0.2.15 port 35352"))), undefined, "answered once");
});

test("records of Fluent Bit's syslog parser (host, ident, pid, message) use the same memory", () => {
  const host = hostFor(DETECT, { statsIntervalSec: 0 });
  const parsed = (sec: number, pid: string | number, message: string, name = "bastion") => JSON.stringify({ pri: "38", time: stamp(sec), host: name, ident: "sshd", pid, message });
  host.call("logs", T0, parsed(0, "4242", "Connection from 192.0.2.90 port 4000 on 192.0.2.1 port 22"));
  const ns = namespaceOf(host.call("logs", T0 + 1, parsed(1, "4242", "Disconnecting: Too many authentication failures [preauth]")));
  assert.deepEqual(ns?.rules, ["r-probe"]);
  assert.ok(JSON.stringify(host.inspect("logs", T0 + 1, parsed(1, "4242", "fatal: Read from socket failed: Connection reset by peer [preauth]"))).includes("192.0.2.90"));
  // Another host's process with the same pid, and a pid typed as a number of another process: nothing lent.
  assert.equal(namespaceOf(host.call("logs", T0 + 2, parsed(2, "4242", "Disconnecting: Too many authentication failures [preauth]", "jump"))), undefined);
  assert.equal(namespaceOf(host.call("logs", T0 + 2, parsed(2, 4243, "Disconnecting: Too many authentication failures [preauth]"))), undefined);
  host.call("logs", T0 + 3, parsed(3, 4243, "Connection from 192.0.2.91 port 4000 on 192.0.2.1 port 22"));
  assert.deepEqual(namespaceOf(host.call("logs", T0 + 4, parsed(4, 4243, "Disconnecting: Too many authentication failures [preauth]")))?.rules, ["r-probe"]);
});

test("explain reads with the memory but does not teach it", () => {
  const host = hostFor(DETECT, { statsIntervalSec: 0 });
  host.inspect("logs", T0, line(0, 7, "Connection from 192.0.2.60 port 4000 on 192.0.2.1 port 22"));
  assert.equal(namespaceOf(host.call("logs", T0 + 1, line(1, 7, "Disconnecting: Too many authentication failures [preauth]"))), undefined);
  host.call("logs", T0 + 2, line(2, 8, "Connection from 192.0.2.61 port 4000 on 192.0.2.1 port 22"));
  const explained = JSON.stringify(host.inspect("logs", T0 + 3, line(3, 8, "Disconnecting: Too many authentication failures [preauth]")));
  assert.ok(explained.includes("192.0.2.61"), explained);
});

test("the memory's size and evictions reach the report and the statistics record", () => {
  const host = hostFor(DETECT, { statsIntervalSec: 60 });
  const processes = 3000;
  for (let pid = 1; pid <= processes; pid++) host.call("logs", T0, line(0, pid, `Connection from 192.0.2.70 port ${pid} on 192.0.2.1 port 22`));
  const report = host.report().ssh_sessions!;
  assert.equal(report.capacity, 1024);
  assert.ok(report.keys <= 1024 && report.keys > 900, `keys ${report.keys}`);
  assert.equal(report.keys + report.evictions, processes, "each new process took a free entry or evicted one");
  assert.equal(report.too_long, 0);
  const closing = host.call("logs", T0 + 60, line(60, 1, "Server listening on 0.0.0.0 port 22."));
  const stats = (namespaceOf(closing) as { stats: { ssh_sessions: unknown } }).stats;
  assert.deepEqual(stats.ssh_sessions, report);
});
