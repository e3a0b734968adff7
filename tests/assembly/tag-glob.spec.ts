// Fluent Bit tag globs (assembly/rules/tag-glob.ts; README "logsource.tag"):
// `*` matches any run of characters (also none), everything else itself.
import { globMatches } from "../../assembly/rules/tag-glob";
import { bytes } from "./helpers";

function matches(glob: string, tag: string): bool {
  const t = bytes(tag);
  return globMatches(bytes(glob), t.ptr, t.len);
}

describe("tag globs", () => {
  it("literal globs match only themselves", () => {
    expect(matches("web", "web")).toBe(true);
    expect(matches("web", "webx")).toBe(false);
    expect(matches("web", "we")).toBe(false);
    expect(matches("web", "")).toBe(false);
    expect(matches("", "")).toBe(true);
    expect(matches("web.access", "WEB.access")).toBe(false, "tags are case-sensitive");
  });

  it("* matches any run, also an empty one", () => {
    expect(matches("web.*", "web.access")).toBe(true);
    expect(matches("web.*", "web.")).toBe(true);
    expect(matches("web.*", "web")).toBe(false);
    expect(matches("web.*", "app.web.access")).toBe(false);
    expect(matches("*", "")).toBe(true);
    expect(matches("*", "anything.at.all")).toBe(true);
    expect(matches("*.log", "kube.var.log")).toBe(true);
    expect(matches("*.log", "kube.var.logs")).toBe(false);
    expect(matches("**", "x")).toBe(true);
  });

  it("several stars backtrack", () => {
    expect(matches("a*b*c", "aXbYc")).toBe(true);
    expect(matches("a*b*c", "abc")).toBe(true);
    expect(matches("a*b*c", "acb")).toBe(false);
    expect(matches("a*aab", "aaaaab")).toBe(true);
    expect(matches("a*aab", "aaaaba")).toBe(false);
    expect(matches("*.*.*", "a.b.c")).toBe(true);
    expect(matches("*.*.*", "a.b")).toBe(false);
  });

  it("? and other characters are literal", () => {
    expect(matches("web.?", "web.?")).toBe(true);
    expect(matches("web.?", "web.a")).toBe(false);
    expect(matches("kube.var.log.containers.app-*", "kube.var.log.containers.app-7f9c")).toBe(true);
  });
});
