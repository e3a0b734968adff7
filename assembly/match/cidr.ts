// CIDR membership for IPv4 and IPv6 addresses. Addresses are parsed into 16
// bytes; IPv4 becomes ::ffff:a.b.c.d so both families share one comparison
// (the compiler encodes IPv4 networks the same way, with the prefix + 96).
import { Fired } from "./fired";
import { hexValue } from "../runtime/ascii";

export class CidrTest {
  predicate: i32 = 0;
  prefix: i32 = 0;
  network: usize = 0; // 16 bytes inside the program
}

const parsed = memory.data(16);

function parseIPv4(p: usize, len: i32, out: usize): bool {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? <i32>load<u8>(p + <usize>i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 3) return false;
      store<u8>(out + 12 + <usize>part, <u8>value);
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255 || digits > 3) return false;
    } else {
      return false;
    }
  }
  if (part != 4) return false;
  memory.fill(out, 0, 10);
  store<u8>(out + 10, 0xff);
  store<u8>(out + 11, 0xff);
  return true;
}

function parseIPv6(p: usize, len: i32, out: usize): bool {
  // Groups before and after a "::" are collected separately, then joined.
  const groups = memory.data(16); // u16 x 8
  let count = 0;
  let gapAt = -1;
  let i = 0;
  if (len >= 2 && load<u8>(p) == 0x3a && load<u8>(p + 1) == 0x3a) {
    gapAt = 0;
    i = 2;
  }
  while (i < len) {
    if (count >= 8) return false;
    // An embedded IPv4 tail (::ffff:1.2.3.4) fills the last two groups.
    let dot = false;
    for (let k = i; k < len && load<u8>(p + <usize>k) != 0x3a; k++) if (load<u8>(p + <usize>k) == 0x2e) dot = true;
    if (dot) {
      if (count > 6 || !parseIPv4(p + <usize>i, len - i, parsed)) return false;
      store<u16>(groups + (<usize>count << 1), (<u16>load<u8>(parsed + 12) << 8) | load<u8>(parsed + 13));
      store<u16>(groups + (<usize>(count + 1) << 1), (<u16>load<u8>(parsed + 14) << 8) | load<u8>(parsed + 15));
      count += 2;
      i = len;
      break;
    }
    let value = 0;
    let digits = 0;
    while (i < len) {
      const h = hexValue(<u32>load<u8>(p + <usize>i));
      if (h < 0) break;
      value = (value << 4) | h;
      digits++;
      i++;
      if (digits > 4) return false;
    }
    if (digits == 0) return false;
    store<u16>(groups + (<usize>count << 1), <u16>value);
    count++;
    if (i == len) break;
    if (load<u8>(p + <usize>i) != 0x3a) return false;
    i++;
    if (i < len && load<u8>(p + <usize>i) == 0x3a) {
      if (gapAt >= 0) return false;
      gapAt = count;
      i++;
    } else if (i == len) {
      return false;
    }
  }
  if (gapAt < 0 && count != 8) return false;
  if (gapAt >= 0 && count > 7) return false;
  const fill = 8 - count;
  memory.fill(out, 0, 16);
  for (let g = 0; g < count; g++) {
    const at = gapAt >= 0 && g >= gapAt ? g + fill : g;
    const v = load<u16>(groups + (<usize>g << 1));
    store<u8>(out + (<usize>at << 1), <u8>(v >> 8));
    store<u8>(out + (<usize>at << 1) + 1, <u8>v);
  }
  return true;
}

/** Parses an address into 16 bytes at `out`. */
export function parseAddress(p: usize, len: i32, out: usize): bool {
  if (len <= 0 || len > 45) return false;
  for (let i = 0; i < len; i++) if (load<u8>(p + <usize>i) == 0x3a) return parseIPv6(p, len, out);
  return parseIPv4(p, len, out);
}

export function inNetwork(address: usize, network: usize, prefix: i32): bool {
  let bits = prefix;
  for (let i = 0; i < 16 && bits > 0; i++) {
    const mask: u32 = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((<u32>load<u8>(address + <usize>i) & mask) != (<u32>load<u8>(network + <usize>i) & mask)) return false;
    bits -= 8;
  }
  return true;
}

/** Runs every CIDR test of a slot against its value, parsing the address once. */
export function testCidrs(tests: StaticArray<CidrTest>, from: i32, to: i32, p: usize, len: i32, fired: Fired): void {
  if (!parseAddress(p, len, parsed)) return;
  const address = memory.data(16);
  memory.copy(address, parsed, 16);
  for (let k = from; k < to; k++) {
    const t = unchecked(tests[k]);
    if (inNetwork(address, t.network, t.prefix)) fired.set(t.predicate);
  }
}
