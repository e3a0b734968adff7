// Redaction kinds (assembly/redact/kinds.ts header, README "Extensions"):
//   card     - runs of 13-19 digits (single spaces or dashes between digits)
//              that pass the Luhn check keep only their last four digits;
//   password - the value after password= / passwd= / passphrase= / pwd= /
//              "password": becomes *** (a quoted value up to its closing
//              quote, an unquoted one up to whitespace or one of & ; , });
//   bearer   - the token after "Bearer " becomes ***.
// Masks have a fixed length (README): the output does not reveal the secret's length.
import { redact } from "../../assembly/redact/kinds";
import { RedactKind } from "../../assembly/runtime/schema";
import { Bytes } from "../../assembly/runtime/bytes";
import { bytes, text } from "./helpers";

function masked(kind: u32, s: string): string {
  const b = bytes(s);
  const out = new Bytes(16);
  redact(kind, b.ptr, b.len, out);
  return text(out.ptr, out.length);
}

const card = (s: string): string => masked(RedactKind.Card, s);
const password = (s: string): string => masked(RedactKind.Password, s);
const bearer = (s: string): string => masked(RedactKind.Bearer, s);

describe("card", () => {
  it("masks Luhn-valid numbers of 13 to 19 digits, keeping the last four", () => {
    expect(card("4111 1111 1111 1111")).toBe("**** **** **** 1111");
    expect(card("card=4111111111111111&x=1")).toBe("card=************1111&x=1");
    expect(card("4111-1111-1111-1111")).toBe("****-****-****-1111");
    expect(card("5500005555555559")).toBe("************5559");
    expect(card("4222222222222")).toBe("*********2222", "13 digits");
    expect(card("6011000990139424")).toBe("************9424");
    expect(card("3530111333300000")).toBe("************0000");
  });

  it("leaves numbers that fail Luhn, or are too short or too long", () => {
    expect(card("4111111111111112")).toBe("4111111111111112");
    expect(card("1234567890123456")).toBe("1234567890123456");
    expect(card("411111111111")).toBe("411111111111", "12 digits");
    expect(card("41111111111111111111")).toBe("41111111111111111111", "20 digits");
    expect(card("order 42, amount 10")).toBe("order 42, amount 10");
  });

  it("double separators end a run", () => {
    expect(card("4111  1111 1111 1111")).toBe("4111  1111 1111 1111");
  });
});

describe("password", () => {
  it("masks the value after the documented words, case-insensitively, with a fixed mask", () => {
    expect(password("user=bob&password=hunter2&next=/")).toBe("user=bob&password=***&next=/");
    expect(password("PASSWORD=x")).toBe("PASSWORD=***");
    expect(password("passwd=a-very-long-secret-value")).toBe("passwd=***");
    expect(password("passphrase=open sesame")).toBe("passphrase=*** sesame");
    expect(password("db_password=s3cr3t;port=5432")).toBe("db_password=***;port=5432");
    expect(password("?pwd=hunter2")).toBe("?pwd=***");
  });

  it("masks quoted values up to their closing quote, JSON included", () => {
    expect(password('login failed {"user":"bob","password":"hunter 2"}')).toBe('login failed {"user":"bob","password":"***"}');
    expect(password("password='a b c' next")).toBe("password='***' next");
    expect(password("password: secret")).toBe("password: ***");
  });

  it("leaves text without a secret after the word", () => {
    expect(password("password reset requested")).toBe("password reset requested");
    expect(password("no secrets here")).toBe("no secrets here");
    expect(password("password=")).toBe("password=");
  });

  it("PWD in upper case is sudo's working directory, not a secret", () => {
    expect(password("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash")).toBe("alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash");
  });
});

describe("bearer", () => {
  it("masks the token after Bearer", () => {
    expect(bearer("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc")).toBe("Authorization: Bearer ***");
    expect(bearer("authorization: bearer abc.def next")).toBe("authorization: bearer *** next");
    expect(bearer("no token")).toBe("no token");
  });
});
