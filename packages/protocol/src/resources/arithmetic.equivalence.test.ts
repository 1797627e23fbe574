import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, contains, equals, flatten, isEmpty, normalize, roundScalar, subtract } from "./arithmetic.js";
import { mesosResources } from "./mesos-json.js";
import { coalesce, formatRanges, rangesContain, subtractRanges, unionCoalesced } from "./ranges.js";
import type { Range, Reservation, Resource } from "./schema.js";

/**
 * The arithmetic as it was before its fast paths (string keys in a map, every group re-normalized):
 * the model the fast paths must match exactly, values, entry order and field order (JSON) alike.
 */
const reference = (() => {
  const reservationKey = (r: Reservation) =>
    `${r.role}|${r.type}|${r.principal ?? ""}|${r.labels ? JSON.stringify(Object.entries(r.labels).sort()) : ""}`;
  const groupKey = (r: Resource) => {
    const kind = "scalar" in r ? "s" : "ranges" in r ? "r" : "t";
    return r.reservation ? `${r.name}|${kind}|${reservationKey(r.reservation)}` : `${r.name}|${kind}`;
  };
  interface Group {
    first: Resource;
    scalar: number;
    ranges: Range[];
    set: Set<string>;
  }
  const grouped = (resources: readonly Resource[]) => {
    const groups = new Map<string, Group>();
    for (const r of resources) {
      const key = groupKey(r);
      let g = groups.get(key);
      if (!g) {
        g = { first: r, scalar: 0, ranges: [], set: new Set() };
        groups.set(key, g);
      }
      if ("scalar" in r) g.scalar += r.scalar;
      else if ("ranges" in r) g.ranges.push(...r.ranges);
      else for (const item of r.set) g.set.add(item);
    }
    const out = new Map<string, Resource>();
    for (const [key, g] of groups) {
      const base = g.first.reservation
        ? { name: g.first.name, reservation: g.first.reservation }
        : { name: g.first.name };
      let entry: Resource | undefined;
      if ("scalar" in g.first) {
        const scalar = roundScalar(g.scalar);
        entry = scalar > 0 ? { ...base, scalar } : undefined;
      } else if ("ranges" in g.first) {
        const ranges = coalesce(g.ranges);
        entry = ranges.length > 0 ? { ...base, ranges } : undefined;
      } else entry = g.set.size > 0 ? { ...base, set: [...g.set].sort() } : undefined;
      if (entry) out.set(key, entry);
    }
    return out;
  };
  const normalize = (rs: readonly Resource[]) => [...grouped(rs).values()];
  const subtract = (a: readonly Resource[], b: readonly Resource[]) => {
    const groups = grouped(a);
    for (const [key, r] of grouped(b)) {
      const have = groups.get(key);
      if (!have) continue;
      if ("scalar" in have && "scalar" in r)
        groups.set(key, { ...have, scalar: roundScalar(have.scalar - r.scalar) });
      else if ("ranges" in have && "ranges" in r)
        groups.set(key, { ...have, ranges: subtractRanges(have.ranges, r.ranges) });
      else if ("set" in have && "set" in r) {
        const drop = new Set(r.set);
        groups.set(key, { ...have, set: have.set.filter((x) => !drop.has(x)) });
      }
    }
    return [...groups.values()].filter((r) =>
      "scalar" in r ? r.scalar > 0 : "ranges" in r ? r.ranges.length > 0 : r.set.length > 0,
    );
  };
  const contains = (a: readonly Resource[], b: readonly Resource[]) => {
    const groups = grouped(a);
    for (const [key, r] of grouped(b)) {
      const have = groups.get(key);
      if (!have) return false;
      if ("scalar" in have && "scalar" in r) {
        if (have.scalar < r.scalar) return false;
      } else if ("ranges" in have && "ranges" in r) {
        if (!rangesContain(have.ranges, r.ranges)) return false;
      } else if ("set" in have && "set" in r) {
        if (!r.set.every((x) => have.set.includes(x))) return false;
      } else return false;
    }
    return true;
  };
  const mesos = (resources: readonly Resource[]) => {
    const scalars = new Map<string, number>();
    const ranges = new Map<string, Range[]>();
    const sets = new Map<string, Set<string>>();
    for (const r of resources) {
      if ("scalar" in r) scalars.set(r.name, (scalars.get(r.name) ?? 0) + r.scalar);
      else if ("ranges" in r) ranges.set(r.name, [...(ranges.get(r.name) ?? []), ...r.ranges]);
      else sets.set(r.name, new Set([...(sets.get(r.name) ?? []), ...r.set]));
    }
    const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
    for (const [name, v] of scalars) out[name] = roundScalar(v);
    for (const [name, v] of ranges) out[name] = formatRanges(v);
    for (const [name, v] of sets) out[name] = `{${[...v].sort().join(",")}}`;
    return out;
  };
  return { normalize, subtract, contains, mesos, groupKey };
})();

// Lists as the master sees them and worse: duplicate groups, unsorted and overlapping ranges,
// unsorted sets with repeats, scalars off the 3-decimal grid, zeros, reservations equal by value
// but not by identity, labels in any order, and many groups (past the linear search).
const reservation: fc.Arbitrary<Reservation | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      role: fc.constantFrom("eng", "eng/web", "ops"),
      type: fc.constantFrom("static" as const, "dynamic" as const),
      principal: fc.constantFrom("alice", "bob"),
      labels: fc.constantFrom<Record<string, string>>({ a: "1" }, { b: "2", a: "1" }, { a: "1", b: "2" }),
    },
    { requiredKeys: ["role", "type"] },
  ),
);
const name = fc.constantFrom("cpus", "mem", "disk", "gpus", "ports", "zones", "r1", "r2", "r3", "r4", "r5");
const withReservation = <T extends object>(entry: T, r: Reservation | undefined): T =>
  r ? { ...entry, reservation: r } : entry;
const scalar = fc
  .tuple(
    name,
    fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map((v) => v / 1000),
      fc.double({ min: 0, max: 100, noNaN: true }),
    ),
    reservation,
  )
  .map(([n, scalar, r]): Resource => withReservation({ name: n, scalar }, r));
const range = fc
  .tuple(fc.integer({ min: 31_000, max: 31_060 }), fc.integer({ min: 0, max: 12 }))
  .map(([begin, len]) => ({ begin, end: begin + len }));
const ranges = fc
  .tuple(name, fc.array(range, { maxLength: 5 }), fc.boolean(), reservation)
  .map(([n, rs, tidy, r]): Resource => withReservation({ name: n, ranges: tidy ? coalesce(rs) : rs }, r));
const set = fc
  .tuple(name, fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 5 }), reservation)
  .map(([n, items, r]): Resource => withReservation({ name: n, set: items }, r));
const list = fc.array(fc.oneof(scalar, scalar, ranges, set), { maxLength: 14 });
/** A list as the books keep it: already the reference's normal form. */
const normalized = list.map((rs) => reference.normalize(rs));
/** One entry per group, each as it came (off-grid, zero, unsorted): the lists the fast paths take. */
const distinct = list.map((rs) => {
  const seen = new Set<string>();
  return rs.filter((r) => !seen.has(reference.groupKey(r)) && seen.add(reference.groupKey(r)));
});
const anyList = fc.oneof(list, normalized, distinct);

const same = (actual: unknown, expected: unknown) => {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
};

describe("resource arithmetic's fast paths", () => {
  it("normalize and add give what the reference gives, field order included", () => {
    fc.assert(
      fc.property(anyList, anyList, (a, b) => {
        same(normalize(a), reference.normalize(a));
        same(add(a, b), reference.normalize([...a, ...b]));
      }),
      { numRuns: 2000 },
    );
  });

  it("unionCoalesced merges two coalesced lists as coalesce does", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 8 }), fc.array(range, { maxLength: 8 }), (x, y) => {
        same(unionCoalesced(coalesce(x), coalesce(y)), coalesce([...coalesce(x), ...coalesce(y)]));
      }),
      { numRuns: 2000 },
    );
  });

  it("subtract gives what the reference gives", () => {
    fc.assert(
      fc.property(anyList, anyList, (a, b) => {
        same(subtract(a, b), reference.subtract(a, b));
        same(subtract(add(a, b), b), reference.subtract(reference.normalize([...a, ...b]), b));
        // Subtracting nothing is a no-op beside another subtraction (the ledgers skip it).
        same(subtract(subtract(a, []), b), subtract(a, b));
        same(subtract(subtract(a, b), []), subtract(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it("contains, equals and isEmpty answer as the reference does", () => {
    fc.assert(
      fc.property(anyList, anyList, (a, b) => {
        expect(contains(a, b)).toBe(reference.contains(a, b));
        expect(contains(add(a, b), b)).toBe(reference.contains(reference.normalize([...a, ...b]), b));
        expect(equals(a, b)).toBe(reference.contains(a, b) && reference.contains(b, a));
        expect(isEmpty(a)).toBe(reference.normalize(a).length === 0);
      }),
      { numRuns: 2000 },
    );
  });

  it("flatten gives what the reference gives", () => {
    fc.assert(
      fc.property(anyList, reservation, (a, r) => {
        const strip = a.map((e) => {
          const { reservation: _drop, ...rest } = e;
          return (r ? { ...rest, reservation: r } : rest) as Resource;
        });
        same(flatten(a, r), reference.normalize(strip));
      }),
    );
  });

  it("mesosResources gives what the reference gives, key order included", () => {
    fc.assert(fc.property(anyList, (a) => same(mesosResources(a), reference.mesos(a))));
  });

  it("never mutates its inputs", () => {
    fc.assert(
      fc.property(anyList, anyList, (a, b) => {
        const before = JSON.stringify([a, b]);
        normalize(a);
        add(a, b);
        subtract(a, b);
        subtract(add(a, b), a);
        contains(a, b);
        expect(JSON.stringify([a, b])).toBe(before);
      }),
    );
  });
});
