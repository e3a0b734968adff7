// Timestamps in log lines (assembly/record/raw/time.ts) against their
// formats: Common Log Format (`dd/Mon/yyyy:HH:MM:SS +hhmm`), ISO 8601 /
// RFC 3339 with fractions and zones (no zone: UTC), RFC 3164 (no year: the
// year of Fluent Bit's time, the previous year when that puts the event more
// than a day in the future), Apache's error log (`Www Mon dd HH:MM:SS[.ffffff] yyyy`)
// and nginx's (`yyyy/mm/dd HH:MM:SS`). Expected values from the standard
// library's calendar (Date.UTC), not the module's.
import { clfTime, isoTime, syslogTime, apacheErrorTime, nginxErrorTime, NO_TIME } from "../../assembly/record/raw/time";
import { bytes, utc } from "./helpers";

const HOUR: i64 = 3600000;

function clf(s: string): i64 {
  const b = bytes(s);
  return clfTime(b.ptr, b.len, 0);
}
function iso(s: string): i64 {
  const b = bytes(s);
  return isoTime(b.ptr, b.len, 0);
}
function rfc3164(s: string, reference: i64): i64 {
  const b = bytes(s);
  return syslogTime(b.ptr, b.len, 0, reference);
}
function apache(s: string): i64 {
  const b = bytes(s);
  return apacheErrorTime(b.ptr, b.len, 0);
}
function nginx(s: string): i64 {
  const b = bytes(s);
  return nginxErrorTime(b.ptr, b.len, 0);
}

describe("Common Log Format", () => {
  it("reads the time and its zone", () => {
    expect(clf("20/Nov/2026:10:00:00 +0000")).toBe(utc(2026, 11, 20, 10, 0, 0));
    expect(clf("20/Nov/2026:10:00:00 +0100")).toBe(utc(2026, 11, 20, 9, 0, 0));
    expect(clf("20/Nov/2026:10:00:00 -0530")).toBe(utc(2026, 11, 20, 15, 30, 0));
    expect(clf("01/Jan/2027:00:30:00 +0100")).toBe(utc(2026, 12, 31, 23, 30, 0), "a zone moves the date across New Year");
    expect(clf("29/Feb/2028:23:59:59 +0000")).toBe(utc(2028, 2, 29, 23, 59, 59));
    expect(clf("20/Nov/2026:10:00:00 +0000") - clf("20/Nov/2026:10:00:00 +0200")).toBe(2 * HOUR);
  });

  it("refuses what is not a CLF time", () => {
    expect(clf("20/Foo/2026:10:00:00 +0000")).toBe(NO_TIME);
    expect(clf("32/Nov/2026:10:00:00 +0000")).toBe(NO_TIME);
    expect(clf("20/Nov/2026")).toBe(NO_TIME);
    expect(clf("xx/Nov/2026:10:00:00 +0000")).toBe(NO_TIME);
  });

  it("engine bug: an hour of 25 or a minute of 61 is read as a later time, not refused", () => {
    expect(clf("20/Nov/2026:25:00:00 +0000")).toBe(NO_TIME, "hour 25");
    expect(clf("20/Nov/2026:10:61:00 +0000")).toBe(NO_TIME, "minute 61");
    expect(iso("2026-11-20T25:00:00Z")).toBe(NO_TIME, "ISO hour 25");
  });
});

describe("ISO 8601", () => {
  it("reads Z, offsets, no zone (UTC), a space for T, fractions to the millisecond", () => {
    expect(iso("2026-11-20T10:00:00Z")).toBe(utc(2026, 11, 20, 10, 0, 0));
    expect(iso("2026-11-20T10:00:00.123Z")).toBe(utc(2026, 11, 20, 10, 0, 0, 123));
    expect(iso("2026-11-20T10:00:00.123456Z")).toBe(utc(2026, 11, 20, 10, 0, 0, 123));
    expect(iso("2026-11-20T10:00:00.5Z")).toBe(utc(2026, 11, 20, 10, 0, 0, 500));
    expect(iso("2026-11-20T10:00:00+01:00")).toBe(utc(2026, 11, 20, 9, 0, 0));
    expect(iso("2026-11-20T10:00:00-0230")).toBe(utc(2026, 11, 20, 12, 30, 0));
    expect(iso("2026-11-20 10:00:00")).toBe(utc(2026, 11, 20, 10, 0, 0));
    expect(iso("2026-11-20T10:00:00.250+05:30")).toBe(utc(2026, 11, 20, 4, 30, 0, 250));
  });

  it("refuses what is not one", () => {
    expect(iso("2026-13-01T00:00:00Z")).toBe(NO_TIME);
    expect(iso("2026-11-20")).toBe(NO_TIME);
    expect(iso("2026/11/20T10:00:00Z")).toBe(NO_TIME);
    expect(iso("2026-11-20X10:00:00Z")).toBe(NO_TIME);
    expect(iso("20261120T100000Z")).toBe(NO_TIME);
  });
});

describe("RFC 3164", () => {
  it("takes the year of Fluent Bit's time", () => {
    expect(rfc3164("Nov 20 10:00:00", utc(2026, 11, 20, 12, 0, 0))).toBe(utc(2026, 11, 20, 10, 0, 0));
    expect(rfc3164("Nov  2 10:00:00", utc(2026, 11, 20, 12, 0, 0))).toBe(utc(2026, 11, 2, 10, 0, 0), "day padded with a space");
  });

  it("a December line read in January belongs to the previous year", () => {
    expect(rfc3164("Dec 31 23:59:59", utc(2027, 1, 1, 0, 0, 30))).toBe(utc(2026, 12, 31, 23, 59, 59));
  });

  it("up to a day ahead of Fluent Bit's time stays in its year (clock skew)", () => {
    expect(rfc3164("Nov 21 09:00:00", utc(2026, 11, 20, 12, 0, 0))).toBe(utc(2026, 11, 21, 9, 0, 0));
    expect(rfc3164("Nov 21 13:00:00", utc(2026, 11, 20, 12, 0, 0))).toBe(utc(2025, 11, 21, 13, 0, 0), "more than a day ahead");
  });

  it("refuses what is not one", () => {
    expect(rfc3164("Foo 20 10:00:00", utc(2026, 1, 1, 0, 0, 0))).toBe(NO_TIME);
    expect(rfc3164("Nov 20 1000:00", utc(2026, 1, 1, 0, 0, 0))).toBe(NO_TIME);
  });
});

describe("error logs", () => {
  it("Apache 2.4 (microseconds) and 2.2 (seconds), UTC", () => {
    expect(apache("Wed Oct 11 14:32:52.123456 2026")).toBe(utc(2026, 10, 11, 14, 32, 52, 123));
    expect(apache("Wed Oct 11 14:32:52 2026")).toBe(utc(2026, 10, 11, 14, 32, 52));
    expect(apache("Mon Nov  2 08:00:00 2026")).toBe(utc(2026, 11, 2, 8, 0, 0));
    expect(apache("Wed Foo 11 14:32:52 2026")).toBe(NO_TIME);
  });

  it("nginx, UTC", () => {
    expect(nginx("2026/11/20 10:00:00")).toBe(utc(2026, 11, 20, 10, 0, 0));
    expect(nginx("2026-11-20 10:00:00")).toBe(NO_TIME);
    expect(nginx("2026/11/20 1:00:00")).toBe(NO_TIME);
  });
});
