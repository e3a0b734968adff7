// Civil dates <-> days since 1970-01-01, proleptic Gregorian, UTC
// (Howard Hinnant's algorithms), for log timestamps and ISO output.

export function daysFromCivil(year: i64, month: i64, day: i64): i64 {
  const y = month <= 2 ? year - 1 : year;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const m = month > 2 ? month - 3 : month + 9;
  const doy = (153 * m + 2) / 5 + day - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number, packed as year * 10000 + month * 100 + day. */
export function civilFromDays(days: i64): i64 {
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 10000 + month * 100 + day;
}

/** Whole days and the milliseconds into the day of an epoch time (floor division). */
@inline export function dayOf(ms: i64): i64 {
  const d = ms / 86400000;
  return ms % 86400000 < 0 ? d - 1 : d;
}
