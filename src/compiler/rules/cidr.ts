// Validates the value of a `cidr` modifier. A bare address is taken as a
// single host (/32 or /128) as pySigma does; the result always carries the
// prefix so the back end parses one form.

/** "addr/prefix" (IPv6 lower-cased), or undefined when `text` is not a valid CIDR. */
export function normalizeCidr(text: string): string | undefined {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = isIPv4(addr);
  const v6 = !v4 && isIPv6(addr);
  if (!v4 && !v6) return undefined;
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  return `${v4 ? addr : addr.toLowerCase()}/${prefix}`;
}

export function isIPv4(s: string): boolean {
  const parts = s.split(".");
  // No leading zeros: "010" is octal to some parsers and decimal to others.
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | undefined => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (/^[0-9a-fA-F]{1,4}$/.test(g)) count += 1;
    else if (i === all.length - 1 && s.endsWith(g) && isIPv4(g)) count += 2; // ::ffff:1.2.3.4
    else return false;
  }
  return halves.length === 2 ? count < 8 : count === 8;
}
