import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Instance } from "../model/instance.js";
import { app, offer, placedOn } from "../test-support/fixtures.js";
import { checkConstraints } from "./constraints.js";

type C = [string, string] | [string, string, string];
const withConstraints = (...constraints: C[]) => app("/web", { constraints: constraints as never });
const ok = undefined;
const NO = "UnfulfilledConstraint";

describe("checkConstraints", () => {
  it("passes everything for an app without constraints", () => {
    expect(checkConstraints(app("/web"), offer("a"), [placedOn("/web", "a")])).toBe(ok);
  });

  it("UNIQUE hostname: one instance per host, counting those placed in the same round", () => {
    const a = withConstraints(["hostname", "UNIQUE"]);
    expect(checkConstraints(a, offer("h1"), [])).toBe(ok);
    expect(checkConstraints(a, offer("h1"), [placedOn("/web", "h1")])).toBe(NO);
    expect(checkConstraints(a, offer("h2"), [placedOn("/web", "h1")], [placedOn("/web", "h2")])).toBe(NO);
  });

  it("UNIQUE on an attribute compares the agents' values", () => {
    const a = withConstraints(["rack", "UNIQUE"]);
    const r1 = placedOn("/web", "h1", { rack: "r1" });
    expect(checkConstraints(a, offer("h2", { attributes: { rack: "r1" } }), [r1])).toBe(NO);
    expect(checkConstraints(a, offer("h2", { attributes: { rack: "r2" } }), [r1])).toBe(ok);
  });

  it("CLUSTER: the given value, or without one the value the instances share", () => {
    expect(
      checkConstraints(
        withConstraints(["rack", "CLUSTER", "r1"]),
        offer("h", { attributes: { rack: "r1" } }),
        [],
      ),
    ).toBe(ok);
    expect(
      checkConstraints(
        withConstraints(["rack", "CLUSTER", "r1"]),
        offer("h", { attributes: { rack: "r2" } }),
        [],
      ),
    ).toBe(NO);
    const free = withConstraints(["rack", "CLUSTER"]);
    const r2 = [placedOn("/web", "x", { rack: "r2" })];
    expect(checkConstraints(free, offer("h", { attributes: { rack: "r2" } }), r2)).toBe(ok);
    expect(checkConstraints(free, offer("h", { attributes: { rack: "r1" } }), r2)).toBe(NO);
  });

  it("GROUP_BY: a new value always, a known one only when it has the fewest instances", () => {
    const a = withConstraints(["rack", "GROUP_BY"]);
    const placed = [
      placedOn("/web", "x", { rack: "r1" }),
      placedOn("/web", "y", { rack: "r1" }, 1),
      placedOn("/web", "z", { rack: "r2" }),
    ];
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r1" } }), placed)).toBe(NO);
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r2" } }), placed)).toBe(ok);
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r3" } }), placed)).toBe(ok);
  });

  it("GROUP_BY with a value waits for that many distinct values before reusing one", () => {
    const a = withConstraints(["rack", "GROUP_BY", "3"]);
    const placed = [placedOn("/web", "x", { rack: "r1" }), placedOn("/web", "z", { rack: "r2" })];
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r1" } }), placed)).toBe(NO);
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r3" } }), placed)).toBe(ok);
    const three = [...placed, placedOn("/web", "w", { rack: "r3" })];
    expect(checkConstraints(a, offer("h", { attributes: { rack: "r1" } }), three)).toBe(ok);
  });

  it("LIKE and UNLIKE match the whole value as a regex", () => {
    const like = withConstraints(["hostname", "LIKE", "web-[0-9]+"]);
    expect(checkConstraints(like, offer("web-12"), [])).toBe(ok);
    expect(checkConstraints(like, offer("web-12x"), [])).toBe(NO);
    const unlike = withConstraints(["hostname", "UNLIKE", "db.*"]);
    expect(checkConstraints(unlike, offer("db-1"), [])).toBe(NO);
    expect(checkConstraints(unlike, offer("xdb-1"), [])).toBe(ok);
  });

  it("MAX_PER allows up to value instances per value; IS wants exactly the value", () => {
    const max = withConstraints(["rack", "MAX_PER", "2"]);
    const one = [placedOn("/web", "x", { rack: "r1" })];
    const r1 = offer("h", { attributes: { rack: "r1" } });
    expect(checkConstraints(max, r1, one)).toBe(ok);
    expect(checkConstraints(max, r1, [...one, placedOn("/web", "y", { rack: "r1" })])).toBe(NO);
    expect(checkConstraints(withConstraints(["rack", "IS", "r1"]), r1, [])).toBe(ok);
    expect(checkConstraints(withConstraints(["rack", "IS", "r2"]), r1, [])).toBe(NO);
  });

  it("a missing attribute fails every operator but UNLIKE", () => {
    const bare = offer("h");
    for (const c of [
      ["rack", "UNIQUE"],
      ["rack", "CLUSTER"],
      ["rack", "GROUP_BY"],
      ["rack", "LIKE", ".*"],
      ["rack", "MAX_PER", "9"],
      ["rack", "IS", "r"],
    ] as C[])
      expect(checkConstraints(withConstraints(c), bare, [])).toBe(NO);
    expect(checkConstraints(withConstraints(["rack", "UNLIKE", "r1"]), bare, [])).toBe(ok);
  });

  it("compares a scalar attribute as text", () => {
    expect(
      checkConstraints(withConstraints(["gen", "IS", "3"]), offer("h", { attributes: { gen: 3 } }), []),
    ).toBe(ok);
  });

  it("GROUP_BY placing one at a time keeps every value's count within one of the others (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("r1", "r2", "r3"), { minLength: 1, maxLength: 40 }),
        (offeredRacks) => {
          const a = withConstraints(["rack", "GROUP_BY"]);
          const racks = [...new Set(offeredRacks)];
          const placed: Instance[] = [];
          // Offers come round-robin over the racks offered, in the order they first appeared.
          for (let round = 0; round < offeredRacks.length; round++) {
            const rack = racks[round % racks.length]!;
            if (checkConstraints(a, offer("h", { attributes: { rack } }), placed) === undefined)
              placed.push(placedOn("/web", `h${round}`, { rack }, round));
          }
          const counts = racks.map((r) => placed.filter((i) => i.agentAttributes.rack === r).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
