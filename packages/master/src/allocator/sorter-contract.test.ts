import { parseResources } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoleSorter } from "./role-sorter.js";
import { DrfSorter, type Sorter } from "./sorter.js";

const r = parseResources;

/** What every sorter promises, whatever it sorts (frameworks or top-level roles). */
describe.each([
  ["DrfSorter", () => new DrfSorter()],
  ["RoleSorter", () => new RoleSorter()],
])("Sorter contract: %s", (_name, make: () => Sorter) => {
  function sorterWith(total: string, clients: string[]): Sorter {
    const s = make();
    s.setTotal(r(total));
    for (const c of clients) s.add(c);
    return s;
  }

  it("ranks by dominant share, lowest first", () => {
    const s = sorterWith("cpus:10;mem:1000", ["a", "b", "c"]);
    s.allocated("a", r("cpus:5;mem:100"));
    s.allocated("b", r("cpus:1;mem:300"));
    expect(s.sort()).toEqual(["c", "b", "a"]);
    expect(s.share("a")).toBeCloseTo(0.5);
  });

  it("divides shares by weight, so a weight-3 client gets 3× before it ranks behind", () => {
    const s = sorterWith("cpus:100", ["light", "heavy"]);
    s.setWeight("heavy", 3);
    s.allocated("light", r("cpus:10"));
    s.allocated("heavy", r("cpus:27"));
    expect(s.sort()).toEqual(["heavy", "light"]);
    s.allocated("heavy", r("cpus:6"));
    expect(s.sort()).toEqual(["light", "heavy"]);
    expect(s.share("heavy")).toBeCloseTo(0.11);
  });

  it("rejects weights that are not positive", () => {
    expect(() => make().setWeight("a", 0)).toThrow();
    expect(() => make().setWeight("a", -1)).toThrow();
  });

  it("forgets a removed client, and compare agrees with sort", () => {
    const s = sorterWith("cpus:10", ["a", "b", "c"]);
    s.allocated("a", r("cpus:2"));
    s.remove("b");
    expect(s.has("b")).toBe(false);
    expect(s.sort()).toEqual(["c", "a"]);
    expect(Math.sign(s.compare("c", "a"))).toBe(-1);
  });

  it("orders any allocation history by weighted share (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 20 })), {
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 5 }),
        (steps, weights) => {
          const s = sorterWith("cpus:100", ["c0", "c1", "c2", "c3", "c4"]);
          for (const [i, w] of weights.entries()) s.setWeight(`c${i}`, w);
          for (const [i, cpus] of steps) s.allocated(`c${i}`, r(`cpus:${cpus}`));
          const order = s.sort();
          expect([...order].sort()).toEqual(["c0", "c1", "c2", "c3", "c4"]);
          for (let i = 1; i < order.length; i++) {
            expect(s.share(order[i - 1]!)).toBeLessThanOrEqual(s.share(order[i]!) + 1e-12);
          }
        },
      ),
    );
  });
});
