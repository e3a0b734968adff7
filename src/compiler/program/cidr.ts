// Parses a CIDR network into the 16-byte form the module compares against;
// IPv4 networks become ::ffff:a.b.c.d/(prefix + 96). The address grammar is
// the one rules are checked with (rules/cidr.ts), so both stages agree.
import { isIPv4, isIPv6 } from "../rules/cidr.js";

export function parseCidr(text: string): { prefix: number; network: Uint8Array } | null {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  if (prefixText !== null && !/^\d{1,3}$/.test(prefixText)) return null;
  const network = new Uint8Array(16);
  if (isIPv4(addr)) {
    const prefix = prefixText === null ? 32 : Number(prefixText);
    if (prefix > 32) return null;
    network[10] = 0xff;
    network[11] = 0xff;
    addr.split(".").forEach((part, i) => (network[12 + i] = Number(part)));
    return { prefix: prefix + 96, network };
  }
  if (isIPv6(addr)) {
    const prefix = prefixText === null ? 128 : Number(prefixText);
    if (prefix > 128) return null;
    const groups = expandIPv6(addr);
    groups.forEach((g, i) => {
      network[i * 2] = g >> 8;
      network[i * 2 + 1] = g & 0xff;
    });
    return { prefix, network };
  }
  return null;
}

function expandIPv6(addr: string): number[] {
  let tail: number[] = [];
  let text = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const p = v4[1].split(".").map(Number);
    tail = [(p[0] << 8) | p[1], (p[2] << 8) | p[3]];
    text = addr.slice(0, addr.length - v4[1].length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, null];
  const parse = (s: string) => (s ? s.split(":").filter((x) => x !== "").map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const r = rest === null ? [] : parse(rest);
  const fill = 8 - h.length - r.length - tail.length;
  return [...h, ...new Array(rest === null ? 0 : fill).fill(0), ...r, ...tail];
}
