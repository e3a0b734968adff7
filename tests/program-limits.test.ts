// Issue 11: a rule at the program format's edges compiles into a module that
// works, never into one that quietly matches nothing. Oracles come from the
// rules themselves: a tag glob list admits exactly its tags, a CIDR list
// exactly its networks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSources } from "../src/compiler/compile.js";
import { buildModule } from "../src/compiler/module.js";
import { FluentBitHost } from "../src/host/host.js";
import { namespaceOf } from "./helpers/modules.js";

const PROBE = JSON.stringify({ path: "/etc/passwd", remote: "10.1.2.3" });

function hostOf(rules: string): FluentBitHost {
  const { program } = compileSources([{ path: "rules.yml", text: rules }], { seed: 7 });
  return new FluentBitHost(buildModule(program.bytes));
}

function rulesOn(host: FluentBitHost, tag: string, record: string): unknown {
  return namespaceOf(host.call(tag, 1_763_600_000, record))?.rules;
}

test("a rule with 300 logsource tag globs (past a one-byte count) sees exactly its tags", () => {
  const globs = Array.from({ length: 300 }, (_, i) => `      - 'app${i}.*'`).join("\n");
  const host = hostOf(`title: many globs\nid: many-globs\nlogsource:\n  tag:\n${globs}\ndetection:\n  s:\n    cs-uri|contains: /etc/passwd\n  condition: s\n`);
  for (const i of [0, 1, 255, 256, 299]) assert.deepEqual(rulesOn(host, `app${i}.access`, PROBE), ["many-globs"], `tag app${i}.access`);
  for (const tag of ["app300.access", "web.access", "app1"]) assert.equal(rulesOn(host, tag, PROBE), undefined, `tag ${tag}`);
});

test("a rule with 22,000 CIDR networks matches addresses in them and no others", () => {
  const nets = Array.from({ length: 22_000 }, (_, i) => `      - 10.${(i >> 8) & 255}.${i & 255}.0/24`).join("\n");
  const host = hostOf(`title: many networks\nid: many-networks\ndetection:\n  s:\n    c-ip|cidr:\n${nets}\n  condition: s\n`);
  // i = 21,999 is 10.85.239.0/24; 10.85.240.0 is the first network past the list.
  for (const ip of ["10.0.0.1", "10.1.2.3", "10.85.239.254", "10.40.7.9"]) {
    assert.deepEqual(rulesOn(host, "web", JSON.stringify({ remote: ip, path: "/" })), ["many-networks"], ip);
  }
  for (const ip of ["10.85.240.1", "10.255.0.1", "11.0.0.1", "::1"]) {
    assert.equal(rulesOn(host, "web", JSON.stringify({ remote: ip, path: "/" })), undefined, ip);
  }
});
