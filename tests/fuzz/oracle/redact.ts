// Whether a redaction changes a value, from README "Extensions" and
// SEMANTICS.md "Detection": card masks Luhn-valid runs of 13-19 digits
// ("4111 1111 1111 1111 -> **** **** **** 1111"), password the value of
// password= ("password=hunter2 -> password=***"), bearer the token after
// "Bearer ". The oracle answers for the documented forms and leaves the
// rest (other separators, other password spellings, quoted secrets) open.
import type { Tri } from "./view.js";

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 0x30;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface RedactPrediction {
  changes: Tri;
  /** Substrings of the value that must be gone after masking. */
  gone: string[];
}

/** card: does some Luhn-valid run of 13-19 digits occur? */
export function cardChanges(s: string): RedactPrediction {
  let sure = false;
  let open = false;
  const gone: string[] = [];
  for (const m of s.matchAll(/\d(?:[ -]?\d)*/g)) {
    const run = m[0];
    const digits = run.replace(/[ -]/g, "");
    if (digits.length < 13) continue;
    if (run === digits || /^\d{4}(?: \d{4}){2,3}(?: \d{1,3})?$/.test(run)) {
      if (digits.length <= 19 && luhn(digits)) {
        sure = true;
        gone.push(run);
      }
    } else open = true; // other separators, or a card inside a longer separated run: not specified
  }
  return { changes: sure ? true : open ? undefined : false, gone };
}

export function passwordChanges(s: string): RedactPrediction {
  if (!/pass|pwd/i.test(s)) return { changes: false, gone: [] };
  const m = /password=([^&\s;,'"}\]*][^&\s;,'"}\]]*)/i.exec(s);
  if (m) return { changes: true, gone: [m[0]] };
  return { changes: undefined, gone: [] };
}

export function bearerChanges(s: string): RedactPrediction {
  if (!/bearer/i.test(s)) return { changes: false, gone: [] };
  const m = /bearer ([^\s*][^\s]*)/i.exec(s);
  if (m && m[1].length >= 4) return { changes: true, gone: [m[0]] };
  return { changes: undefined, gone: [] };
}

export function redactionChanges(kind: "card" | "password" | "bearer", s: string): RedactPrediction {
  return kind === "card" ? cardChanges(s) : kind === "password" ? passwordChanges(s) : bearerChanges(s);
}
