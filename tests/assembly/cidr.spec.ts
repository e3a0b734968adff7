// CIDR membership (assembly/match/cidr.ts) against RFC 4291 (IPv6 text
// forms, "::", embedded IPv4) and RFC 4632 (IPv4 prefixes); IPv4 addresses
// and networks share the IPv4-mapped block ::ffff:0:0/96 (a /8 is /104 there).
import { parseAddress, inNetwork } from "../../assembly/match/cidr";
import { bytes } from "./helpers";

const addr = memory.data(16);
const net = memory.data(16);

function parse(s: string, out: usize = addr): bool {
  const b = bytes(s);
  return parseAddress(b.ptr, b.len, out);
}

function hex(p: usize): string {
  let s = "";
  for (let i = 0; i < 16; i++) s += (<u32>load<u8>(p + <usize>i)).toString(16).padStart(2, "0");
  return s;
}

function inside(address: string, network: string, prefix: i32): bool {
  if (!parse(address)) return false;
  expect(parse(network, net)).toBe(true, network);
  return inNetwork(addr, net, prefix);
}

describe("addresses", () => {
  it("IPv4 becomes ::ffff:a.b.c.d", () => {
    expect(parse("192.0.2.1")).toBe(true);
    expect(hex(addr)).toBe("00000000000000000000ffffc0000201");
    expect(parse("0.0.0.0")).toBe(true);
    expect(parse("255.255.255.255")).toBe(true);
    expect(hex(addr)).toBe("00000000000000000000ffffffffffff");
  });

  it("IPv6 full, compressed, leading/trailing ::, mixed case", () => {
    expect(parse("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe(true);
    expect(hex(addr)).toBe("20010db8000000000000000000000001");
    expect(parse("2001:DB8::1")).toBe(true);
    expect(hex(addr)).toBe("20010db8000000000000000000000001");
    expect(parse("::1")).toBe(true);
    expect(hex(addr)).toBe("00000000000000000000000000000001");
    expect(parse("fe80::")).toBe(true);
    expect(hex(addr)).toBe("fe800000000000000000000000000000");
    expect(parse("::")).toBe(true);
    expect(hex(addr)).toBe("00000000000000000000000000000000");
    expect(parse("1:2:3:4:5:6:7:8")).toBe(true);
    expect(hex(addr)).toBe("00010002000300040005000600070008");
  });

  it("an embedded IPv4 tail fills the last 32 bits", () => {
    expect(parse("::ffff:192.0.2.1")).toBe(true);
    expect(hex(addr)).toBe("00000000000000000000ffffc0000201");
    expect(parse("64:ff9b::198.51.100.7")).toBe(true);
    expect(hex(addr)).toBe("0064ff9b0000000000000000c6336407");
    expect(parse("1:2:3:4:5:6:10.0.0.1")).toBe(true);
    expect(hex(addr)).toBe("0001000200030004000500060a000001");
  });

  it("rejects what is not an address", () => {
    const bad: string[] = [
      "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4",
      "1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "12345::1", "g::1", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
      "::ffff:1.2.3", "::ffff:1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "localhost", "-",
    ];
    for (let i = 0; i < bad.length; i++) expect(parse(bad[i])).toBe(false, bad[i]);
  });
});

describe("networks", () => {
  it("IPv4 prefixes (on the mapped block: /8 is 96 + 8)", () => {
    expect(inside("10.1.2.3", "10.0.0.0", 104)).toBe(true);
    expect(inside("11.0.0.1", "10.0.0.0", 104)).toBe(false);
    expect(inside("9.255.255.255", "10.0.0.0", 104)).toBe(false);
    expect(inside("192.168.1.130", "192.168.1.128", 96 + 25)).toBe(true);
    expect(inside("192.168.1.127", "192.168.1.128", 96 + 25)).toBe(false);
    expect(inside("203.0.113.9", "203.0.113.9", 128)).toBe(true);
    expect(inside("203.0.113.8", "203.0.113.9", 128)).toBe(false);
  });

  it("IPv6 prefixes, /0 holding everything", () => {
    expect(inside("2001:db8:ffff::1", "2001:db8::", 32)).toBe(true);
    expect(inside("2001:db9::1", "2001:db8::", 32)).toBe(false);
    expect(inside("fe80::1", "fe80::", 10)).toBe(true);
    expect(inside("febf::1", "fe80::", 10)).toBe(true);
    expect(inside("fec0::1", "fe80::", 10)).toBe(false);
    expect(inside("::1", "::", 0)).toBe(true);
    expect(inside("10.0.0.1", "::", 0)).toBe(true);
  });

  it("an IPv4-mapped IPv6 address is in the IPv4 network", () => {
    expect(inside("::ffff:10.9.8.7", "10.0.0.0", 104)).toBe(true);
    expect(inside("::ffff:11.9.8.7", "10.0.0.0", 104)).toBe(false);
  });
});
