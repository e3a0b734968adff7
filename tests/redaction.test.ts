// Redaction in the module: what is masked and what is kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor, releaseHost } from "./helpers/modules.js";

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

test("a card beside other numbers is masked, the numbers kept", () => {
  assert.equal(redacted("card 4111111111111111 12 28"), "card ************1111 12 28");
  assert.equal(redacted("card 4111 1111 1111 1111 2026-11-23"), "card **** **** **** 1111 2026-11-23");
  assert.equal(redacted("charge 100 4111 1111 1111 1111 ok"), "charge 100 **** **** **** 1111 ok");
  assert.equal(redacted("4111 1111 1111 1111 5500 0000 0000 0004"), "**** **** **** 1111 **** **** **** 0004");
  assert.equal(redacted("id 123 456 789 012 345 678"), "id 123 456 789 012 345 678", "no card among them");
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
  // RFC 6750 allows more than one space before the token.
  assert.equal(redacted("Authorization: Bearer  eyJhbGciOi.J9"), "Authorization: Bearer  ***");
});

test("passwords: escaped quotes inside the quoted value, Ruby's =>, a tab before the value", () => {
  // The quoted value runs to its closing quote, not to an escaped one inside it.
  assert.equal(redacted('signup body: {"password":"Horse\\"Battery-Staple"}'), 'signup body: {"password":"***"}');
  assert.equal(redacted("password='hun\\'ter2' ok"), "password='***' ok");
  assert.equal(redacted('{"password"=>"hunter2", "user"=>"bob"}'), '{"password"=>"***", "user"=>"bob"}');
  assert.equal(redacted("password:\tTr0ub4dor3 next"), "password:\t*** next");
});

test("URL fields: secrets URL-encoded in path and referer are masked, the field re-encoded", () => {
  // The bundled pack's redaction rules, on records from the apache2 parser.
  const pack = releaseHost();
  const out = (path: string, referer = "-") => {
    const o = pack.call("web", 1, JSON.stringify({ host: "192.0.2.1", user: "-", method: "GET", path, code: "200", size: "1", referer, agent: "curl" }));
    return o.kind === "record" ? (o.body as { path: string; referer: string }) : { path: "", referer: "" };
  };
  // A browser's GET form sends a card typed with spaces as '+'.
  assert.equal(out("/checkout?card=4111+1111+1111+1111&exp=1228").path, "/checkout?card=****%20****%20****%201111&exp=1228");
  assert.equal(out("/checkout?card=4111%201111%201111%201111").path, "/checkout?card=****%20****%20****%201111");
  assert.equal(out("/login?user=dave&pass%77ord=hunter2").path, "/login?user=dave&password=***");
  // Masked as logged too: an encoded '&' inside the value does not end it early.
  assert.equal(out("/login?password=abc%26def&x=1").path, "/login?password=***&x=1");
  // In a URL, PWD= is a parameter in any case (in text it stays lower case only: sudo's PWD=/home/alice).
  const both = out("/login?user=dave&PWD=S3cretPass", "https://legacy.example.com/auth?uid=dave&Pwd=S3cretPass");
  assert.equal(both.path, "/login?user=dave&PWD=***");
  assert.equal(both.referer, "https://legacy.example.com/auth?uid=dave&Pwd=***");
  // Nothing to mask: the path keeps its bytes, encoding included.
  assert.equal(out("/search?q=a%20b+c").path, "/search?q=a%20b+c");
});

test("a record whose value needs no redaction keeps its bytes", () => {
  const out = host.call("t", 1, '{"message":"nothing to hide","keep":"x"}');
  assert.equal(out.kind === "record" ? JSON.stringify((out.body as { message: string }).message) : "", '"nothing to hide"');
});
