import { contains, normalize, type Resource } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { covers } from "./resource-cover.js";

const range = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 10 }))
  .map(([begin, len]) => ({ begin, end: begin + len }));
const entry: fc.Arbitrary<Resource> = fc.oneof(
  fc.record({ name: fc.constantFrom("cpus", "mem"), scalar: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ name: fc.constant("ports"), ranges: fc.array(range, { maxLength: 3 }) }),
  fc.record({
    name: fc.constant("zones"),
    set: fc.uniqueArray(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
  }),
  fc.record({
    name: fc.constant("cpus"),
    scalar: fc.integer({ min: 0, max: 8 }),
    reservation: fc.record({ role: fc.constantFrom("eng", "ads"), type: fc.constant("static" as const) }),
  }),
);
const resources = fc.array(entry, { maxLength: 5 }).map(normalize);

describe("covers", () => {
  it("agrees with the general contains on normalized resources", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        expect(covers(a, b)).toBe(contains(a, b));
        expect(covers(a, a)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
