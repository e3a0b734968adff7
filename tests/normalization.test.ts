// What is normalized before matching, as the README states it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor } from "./helpers/modules.js";

const RULES = `
title: Union select
id: n-union
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: "' union select"}
  condition: sel
---
title: Agent word
id: n-agent
logsource: {category: webserver}
detection:
  sel: {cs-user-agent|contains: 'sqlmap'}
  condition: sel
---
title: Cased
id: n-cased
logsource: {category: webserver}
detection:
  sel: {cs-user-agent|contains|cased: 'Nikto'}
  condition: sel
---
title: Accented
id: n-accent
logsource: {category: webserver}
detection:
  sel: {cs-user-agent|contains: 'é'}
  condition: sel
`;

const host = hostFor(RULES, { statsIntervalSec: 0 });
const rules = (record: Record<string, unknown>) => {
  const out = host.call("t", 1, JSON.stringify(record));
  return out.kind === "record" ? ((out.body.tripline as { rules?: string[] })?.rules ?? []) : [];
};

test("URL fields match as logged and URL-decoded once", () => {
  assert.deepEqual(rules({ path: "/p?id=1' UNION SELECT 1" }), ["n-union"]);
  assert.deepEqual(rules({ path: "/p?id=1%27%20union%20select%201" }), ["n-union"]);
  assert.deepEqual(rules({ path: "/p?id=1%27+union+select+1" }), ["n-union"], "'+' is a space once decoded");
  assert.deepEqual(rules({ path: "/p?id=1%2527%2520union%2520select" }), [], "decoded once only: %2527 stays %27");
});

test("fields that are not URLs are not URL-decoded", () => {
  assert.deepEqual(rules({ path: "/", agent: "sql%6Dap" }), []);
  assert.deepEqual(rules({ path: "/", agent: "SQLMap/1.8" }), ["n-agent"]);
});

test("case folding covers ASCII letters only, and |cased turns it off", () => {
  assert.deepEqual(rules({ path: "/", agent: "Nikto/2.5" }), ["n-cased"]);
  assert.deepEqual(rules({ path: "/", agent: "nikto/2.5" }), []);
  assert.deepEqual(rules({ path: "/", agent: "café" }), ["n-accent"]);
  assert.deepEqual(rules({ path: "/", agent: "CAFÉ" }), [], "É is not folded to é");
});

test("JSON escapes are decoded before matching", () => {
  const out = host.call("t", 1, '{"path":"/p?q=\\u0027 union select","agent":"\\u0073qlmap"}');
  assert.deepEqual(out.kind === "record" ? (out.body.tripline as { rules: string[] }).rules : [], ["n-union", "n-agent"]);
});

test("numbers match as their JSON text", () => {
  const h = hostFor(`
title: Status
id: n-status
logsource: {category: webserver}
detection:
  sel: {sc-status: 404}
  condition: sel
---
title: Big
id: n-big
logsource: {category: webserver}
detection:
  sel: {sc-bytes|gt: 1000}
  condition: sel
`, { statsIntervalSec: 0 });
  const r = (rec: Record<string, unknown>) => {
    const out = h.call("t", 1, JSON.stringify(rec));
    return out.kind === "record" ? ((out.body.tripline as { rules?: string[] })?.rules ?? []) : [];
  };
  assert.deepEqual(r({ path: "/", code: 404 }), ["n-status"]);
  assert.deepEqual(r({ path: "/", code: "404" }), ["n-status"]);
  assert.deepEqual(r({ path: "/", code: 4040 }), []);
  assert.deepEqual(r({ path: "/", size: "1001" }), ["n-big"]);
  assert.deepEqual(r({ path: "/", size: 1e3 }), []);
  assert.deepEqual(r({ path: "/", size: "12kb" }), [], "not a number: no comparison holds");
});
