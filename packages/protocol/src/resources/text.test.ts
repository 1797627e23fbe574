import { describe, expect, it } from "vitest";
import { isProtocolError } from "../errors.js";
import { formatResources, parseAttributes, parseResources } from "./text.js";

describe("Mesos resource strings", () => {
  it("parses scalars, port ranges, sets and static reservations", () => {
    expect(parseResources("cpus:2;mem:1024;ports:[31000-32000];cpus(eng):1.5;zones:{a,b}")).toEqual([
      { name: "cpus", scalar: 2 },
      { name: "mem", scalar: 1024 },
      { name: "ports", ranges: [{ begin: 31000, end: 32000 }] },
      { name: "cpus", scalar: 1.5, reservation: { role: "eng", type: "static" } },
      { name: "zones", set: ["a", "b"] },
    ]);
  });

  it("round-trips through formatResources", () => {
    const text = "cpus:2;mem:1024;ports:[31000-31005,31010-31010];disk(eng/web):10";
    expect(formatResources(parseResources(text))).toBe(text);
  });

  it.each([
    ["cpus", "expected name[(role)]:value"],
    ["cpus:-1", "not a non-negative number"],
    ["cpus:abc", "not a non-negative number"],
    ["ports:[5-3]", "begin > end"],
    ["ports:[1-2", "unterminated"],
    ["cpus(.bad):1", "bad role"],
  ])("rejects %s with a message naming the entry", (text, why) => {
    try {
      parseResources(text, "--resources");
      expect.unreachable();
    } catch (e) {
      expect(isProtocolError(e) && e.code).toBe("INVALID_RESOURCES");
      expect((e as Error).message).toContain("--resources");
      expect((e as Error).message).toContain(why);
    }
  });

  it("parses attributes: numbers become scalars, the rest text", () => {
    expect(parseAttributes("rack:r1;zone:a;level:3")).toEqual([
      { name: "rack", text: "r1" },
      { name: "zone", text: "a" },
      { name: "level", scalar: 3 },
    ]);
    expect(() => parseAttributes("rack")).toThrow(/attributes: 'rack'/);
  });
});
