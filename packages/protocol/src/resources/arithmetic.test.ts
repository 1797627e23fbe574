import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  add,
  allocatableTo,
  contains,
  equals,
  flatten,
  isEmpty,
  normalize,
  scalarOf,
  subtract,
} from "./arithmetic.js";
import { rangesSize } from "./ranges.js";
import type { Resource } from "./schema.js";

const role = fc.constantFrom(undefined, "eng", "eng/web", "ops");
const reservationOf = (r: string | undefined) =>
  r ? { reservation: { role: r, type: "dynamic" as const } } : {};

const scalar = fc
  .record({ name: fc.constantFrom("cpus", "mem", "disk"), value: fc.integer({ min: 0, max: 100_000 }), role })
  .map(({ name, value, role }): Resource => ({ name, scalar: value / 1000, ...reservationOf(role) }));
const ports = fc
  .record({ begin: fc.integer({ min: 31000, max: 31100 }), len: fc.integer({ min: 0, max: 20 }), role })
  .map(
    ({ begin, len, role }): Resource => ({
      name: "ports",
      ranges: [{ begin, end: begin + len }],
      ...reservationOf(role),
    }),
  );
const set = fc
  .record({ items: fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 4 }), role })
  .map(({ items, role }): Resource => ({ name: "zones", set: items, ...reservationOf(role) }));
const resources = fc.array(fc.oneof(scalar, ports, set), { maxLength: 8 });

describe("resource arithmetic", () => {
  it("add then subtract gives back the original for scalars", () => {
    const scalars = fc.array(scalar, { maxLength: 8 });
    fc.assert(fc.property(scalars, scalars, (a, b) => equals(subtract(add(a, b), b), a)));
  });

  it("add then subtract gives back the original for disjoint port ranges", () => {
    const low = fc.array(ports, { maxLength: 4 });
    const high = low.map((rs) =>
      rs.map((r) =>
        "ranges" in r
          ? { ...r, ranges: r.ranges.map((x) => ({ begin: x.begin + 500, end: x.end + 500 })) }
          : r,
      ),
    );
    fc.assert(fc.property(low, high, (a, b) => equals(subtract(add(a, b), b), a)));
  });

  it("a sum contains each of its parts", () => {
    fc.assert(fc.property(resources, resources, (a, b) => contains(add(a, b), a) && contains(add(a, b), b)));
  });

  it("what is left after subtracting a contained part, plus that part, is the whole", () => {
    fc.assert(
      fc.property(resources, resources, (a, b) => {
        const whole = add(a, b);
        return equals(add(subtract(whole, b), b), whole);
      }),
    );
  });

  it("scalars stay rounded to three decimals through any sequence of adds", () => {
    fc.assert(
      fc.property(fc.array(scalar, { maxLength: 30 }), (rs) => {
        const sum = normalize(rs);
        return sum.every(
          (r) => !("scalar" in r) || Math.abs(r.scalar * 1000 - Math.round(r.scalar * 1000)) < 1e-9,
        );
      }),
    );
  });

  it("contains is reflexive and subtracting everything leaves nothing", () => {
    fc.assert(fc.property(resources, (a) => contains(a, a) && isEmpty(subtract(a, a))));
  });

  it("adds 0.1 cpus ten times to exactly 1", () => {
    const tenth: Resource = { name: "cpus", scalar: 0.1 };
    let sum: Resource[] = [];
    for (let i = 0; i < 10; i++) sum = add(sum, [tenth]);
    expect(scalarOf(sum, "cpus")).toBe(1);
    expect(contains(sum, [{ name: "cpus", scalar: 1 }])).toBe(true);
  });

  it("subtracts port ranges and counts what is left", () => {
    const left = subtract(
      [{ name: "ports", ranges: [{ begin: 31000, end: 32000 }] }],
      [{ name: "ports", ranges: [{ begin: 31010, end: 31019 }] }],
    );
    expect(left).toEqual([
      {
        name: "ports",
        ranges: [
          { begin: 31000, end: 31009 },
          { begin: 31020, end: 32000 },
        ],
      },
    ]);
    expect(rangesSize((left[0] as { ranges: { begin: number; end: number }[] }).ranges)).toBe(991);
  });

  it("keeps reservations apart: reserved cpus do not satisfy an unreserved need", () => {
    const reserved: Resource[] = [{ name: "cpus", scalar: 4, reservation: { role: "eng", type: "static" } }];
    expect(contains(reserved, [{ name: "cpus", scalar: 1 }])).toBe(false);
    expect(contains(flatten(reserved), [{ name: "cpus", scalar: 1 }])).toBe(true);
  });

  it("offers a role its own and its ancestors' reservations, never a sibling's", () => {
    const pool: Resource[] = [
      { name: "cpus", scalar: 1 },
      { name: "cpus", scalar: 2, reservation: { role: "eng", type: "static" } },
      { name: "cpus", scalar: 4, reservation: { role: "ops", type: "static" } },
    ];
    expect(scalarOf(allocatableTo(pool, "eng/web"), "cpus")).toBe(3);
    expect(scalarOf(allocatableTo(pool, "ops"), "cpus")).toBe(5);
    expect(scalarOf(allocatableTo(pool, "*"), "cpus")).toBe(1);
  });
});
