// Redaction in the module: what is masked and what is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor } from "./helpers/modules.js";

const host = hostFor(`
title: Redact
id: red
logsource: {product: json}
detection:
  sel: {message|exists: true}
  condition: sel
tripline:
  action: redact
  redact:
    - {field: message, kind: card}
    - {field: message, kind: password}
    - {field: message, kind: bearer}
`, { statsIntervalSec: 0 });

const redacted = (message: string) => {
  const out = host.call("t", 1, JSON.stringify({ message, keep: "x" }));
  assert.equal(out.kind, "record");
  const body = out.kind === "record" ? out.body : {};
  assert.equal(body.keep, "x");
  return body.message as string;
};

test("card numbers that pass the Luhn check keep their last four digits", () => {
  assert.equal(redacted("paid with 4111 1111 1111 1111 ok"), "paid with **** **** **** 1111 ok");
  assert.equal(redacted("card=4111-1111-1111-1111"), "card=****-****-****-1111");
  assert.equal(redacted("pan 4111111111111111"), "pan ************1111");
  assert.equal(redacted("order 4111111111111112"), "order 4111111111111112", "fails Luhn: not a card");
  assert.equal(redacted("id 123456789012"), "id 123456789012", "12 digits: too short");
  assert.equal(redacted("amex 3782 822463 10005"), "amex **** ****** *0005");
  assert.equal(redacted("[pid 811:tid 140123104306940] x"), "[pid 811:tid 140123104306940] x", "passes Luhn but starts with 1: no card does");
  assert.equal(redacted("ref 9999999999999995"), "ref 9999999999999995", "passes Luhn but starts with 9: no card does");
});

test("passwords are masked whole, quoted or not, with a fixed-length mask", () => {
  assert.equal(redacted('{"user":"bob","password":"correct horse battery staple"}'), '{"user":"bob","password":"***"}');
  assert.equal(redacted("login user=bob password=hunter2 from 10.0.0.1"), "login user=bob password=*** from 10.0.0.1");
  assert.equal(redacted("GET /login?user=bob&passwd=s3cret&next=/"), "GET /login?user=bob&passwd=***&next=/");
  assert.equal(redacted("db_password: 'p a s s'"), "db_password: '***'");
  assert.equal(redacted("PASSWORD=Abc"), "PASSWORD=***");
  assert.equal(redacted("https://x/auth?uid=dave&pwd=S3cret"), "https://x/auth?uid=dave&pwd=***");
  assert.equal(redacted("sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root"), "sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root");
  assert.equal(redacted("reset your password now"), "reset your password now", "no value after the word");
});

test("bearer tokens are masked", () => {
  assert.equal(redacted("Authorization: Bearer eyJhbGciOi.J9.abc-_x"), "Authorization: Bearer ***");
  assert.equal(redacted("bearer abc123, next"), "bearer ***, next");
});

test("a record whose value needs no redaction keeps its bytes", () => {
  const out = host.call("t", 1, '{"message":"nothing to hide","keep":"x"}');
  assert.equal(out.kind === "record" ? JSON.stringify((out.body as { message: string }).message) : "", '"nothing to hide"');
});
