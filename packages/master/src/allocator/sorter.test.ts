import { parseResources } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DrfSorter } from "./sorter.js";

const r = parseResources;

function sorterWith(total: string, clients: string[]): DrfSorter {
  const s = new DrfSorter();
  s.setTotal(r(total));
  for (const c of clients) s.add(c);
  return s;
}

describe("DrfSorter", () => {
  it("orders clients by dominant share, lowest first", () => {
    const s = sorterWith("cpus:10;mem:1000", ["a", "b", "c"]);
    s.allocated("a", r("cpus:5;mem:100")); // dominant: cpus 0.5
    s.allocated("b", r("cpus:1;mem:300")); // dominant: mem 0.3
    expect(s.sort()).toEqual(["c", "b", "a"]);
    expect(s.share("a")).toBeCloseTo(0.5);
    expect(s.share("b")).toBeCloseTo(0.3);
  });

  it("ignores non-scalar resources and resources without a total", () => {
    const s = sorterWith("cpus:10", ["a", "b"]);
    s.allocated("a", r("ports:[1-100];gpus:1"));
    s.allocated("b", r("cpus:1"));
    expect(s.share("a")).toBe(0);
    expect(s.sort()).toEqual(["a", "b"]);
  });

  it("breaks share ties by fewer allocations, then by id", () => {
    const s = sorterWith("cpus:10", ["b", "a", "c"]);
    s.allocated("c", r("cpus:1"));
    s.unallocated("c", r("cpus:1"));
    // all shares 0; c has one allocation
    expect(s.sort()).toEqual(["a", "b", "c"]);
  });

  it("re-sorts after allocations and unallocations", () => {
    const s = sorterWith("cpus:10", ["a", "b"]);
    expect(s.sort()).toEqual(["a", "b"]);
    s.allocated("a", r("cpus:2"));
    expect(s.sort()).toEqual(["b", "a"]);
    s.allocated("b", r("cpus:3"));
    expect(s.sort()).toEqual(["a", "b"]);
    s.unallocated("b", r("cpus:3"));
    expect(s.sort()).toEqual(["b", "a"]);
  });

  it("recomputes every share when the total changes", () => {
    const s = sorterWith("cpus:10;mem:100", ["a", "b"]);
    s.allocated("a", r("cpus:4")); // 0.4
    s.allocated("b", r("mem:30")); // 0.3
    expect(s.sort()).toEqual(["b", "a"]);
    s.setTotal(r("cpus:100;mem:100")); // a: 0.04, b: 0.3
    expect(s.sort()).toEqual(["a", "b"]);
  });

  it("drops removed clients and never changes an array it handed out", () => {
    const s = sorterWith("cpus:10", ["a", "b", "c"]);
    const first = s.sort();
    s.remove("b");
    s.allocated("a", r("cpus:1"));
    expect(s.sort()).toEqual(["c", "a"]);
    expect(first).toEqual(["a", "b", "c"]);
    expect(s.has("b")).toBe(false);
  });

  it("agrees with a full sort after many random changes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(49),
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 300 }),
            fc.boolean(),
          ),
          {
            maxLength: 300,
          },
        ),
        (changes) => {
          const total = r("cpus:1000;mem:100000");
          const lazy = sorterWith("cpus:1000;mem:100000", []);
          const reference = sorterWith("cpus:1000;mem:100000", []);
          for (let i = 0; i < 50; i++) {
            lazy.add(`f${i}`);
            reference.add(`f${i}`);
          }
          for (const [i, cpus, mem, release] of changes) {
            const held = r(`cpus:${cpus};mem:${mem}`);
            for (const s of [lazy, reference]) {
              if (release) s.unallocated(`f${i}`, held);
              else s.allocated(`f${i}`, held);
            }
            reference.setTotal(total); // forces a full re-sort
            expect(lazy.sort()).toEqual(reference.sort());
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
