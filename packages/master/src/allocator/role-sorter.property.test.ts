import { parseResources } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoleSorter } from "./role-sorter.js";

const roles = ["a", "a/b", "a/b/c", "a/d", "e", "e/f", "g"];
const held = [
  "cpus:1",
  "cpus:2;mem:100",
  "mem:300",
  "cpus:0.5;mem:50;disk:10",
  "cpus:3",
  "cpus:1;cpus(a):2;mem:10",
];

type Op =
  | { kind: "add" | "remove"; role: number }
  | { kind: "allocated" | "unallocated"; role: number; held: number }
  | { kind: "weight"; role: number; weight: number }
  | { kind: "total"; cpus: number }
  | { kind: "sort" };

const role = fc.nat({ max: roles.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("add" as const, "remove" as const), role }),
  fc.record({
    kind: fc.constantFrom("allocated" as const, "unallocated" as const),
    role,
    held: fc.nat({ max: held.length - 1 }),
  }),
  fc.record({ kind: fc.constantFrom("allocated" as const), role, held: fc.nat({ max: held.length - 1 }) }),
  fc.record({ kind: fc.constant("weight" as const), role, weight: fc.constantFrom(0.5, 1, 2, 3) }),
  fc.record({ kind: fc.constant("total" as const), cpus: fc.integer({ min: 10, max: 40 }) }),
  fc.record({ kind: fc.constant("sort" as const) }),
  fc.record({ kind: fc.constant("sort" as const) }),
);

/** Applies `o` unless the sorter would refuse it (allocating to a role it lacks); false then. */
function apply(s: RoleSorter, o: Op): boolean {
  const name = "role" in o ? roles[o.role]! : "";
  switch (o.kind) {
    case "add":
      s.add(name);
      return true;
    case "remove":
      s.remove(name);
      return true;
    case "allocated":
    case "unallocated":
      if (!s.has(name)) return false;
      if (o.kind === "allocated") s.allocated(name, parseResources(held[o.held]!));
      else s.unallocated(name, parseResources(held[o.held]!));
      return true;
    case "weight":
      s.setWeight(name, o.weight);
      return true;
    case "total":
      s.setTotal(parseResources(`cpus:${o.cpus};mem:1000;disk:100`));
      return true;
    case "sort":
      s.sort();
      return true;
  }
}

describe("RoleSorter's cached ranks", () => {
  it("sort as a sorter that saw the same calls and sorts once, from nothing cached", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80 }), (ops) => {
        const sorter = new RoleSorter();
        const history: Op[] = [];
        for (const o of ops) {
          if (!apply(sorter, o)) continue;
          history.push(o);
          const fresh = new RoleSorter();
          for (const h of history) if (h.kind !== "sort") apply(fresh, h);
          const before = sorter.sort();
          const copy = [...before];
          expect(before).toEqual(fresh.sort());
          for (const r of roles) expect(sorter.share(r)).toBe(fresh.share(r));
          // An order handed out is never changed by later calls.
          apply(sorter, o.kind === "allocated" ? o : { kind: "sort" });
          expect(before).toEqual(copy);
          if (o.kind === "allocated") history.push(o);
        }
      }),
      { numRuns: 300 },
    );
  });
});
