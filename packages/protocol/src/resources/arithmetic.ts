import { DEFAULT_ROLE } from "../ids.js";
import { coalesce, rangesContain, subtractRanges } from "./ranges.js";
import { type Range, type Reservation, type Resource, type Resources, SCALAR_PRECISION } from "./schema.js";

/**
 * Resource arithmetic over lists of typed entries. Entries are grouped by name and reservation;
 * within a group scalars add, ranges merge and sets unite. Every function returns a new,
 * normalized list (one entry per group, no empty entries) and never mutates its input.
 */

export function roundScalar(value: number): number {
  return Math.round(value * SCALAR_PRECISION) / SCALAR_PRECISION;
}

function reservationKey(r: Reservation): string {
  const labels = r.labels ? JSON.stringify(Object.entries(r.labels).sort()) : "";
  return `${r.role}|${r.type}|${r.principal ?? ""}|${labels}`;
}

function groupKey(r: Resource): string {
  const kind = "scalar" in r ? "s" : "ranges" in r ? "r" : "t";
  // Unreserved entries are the common case on the hot paths: keep their key cheap.
  return r.reservation ? `${r.name}|${kind}|${reservationKey(r.reservation)}` : `${r.name}|${kind}`;
}

/** A group being summed: values are gathered first and normalized once, in `finish`. */
interface Group {
  readonly first: Resource;
  scalar: number;
  ranges: Range[] | undefined;
  set: Set<string> | undefined;
}

function gather(groups: Map<string, Group>, r: Resource): void {
  const key = groupKey(r);
  let g = groups.get(key);
  if (!g) {
    g = { first: r, scalar: 0, ranges: undefined, set: undefined };
    groups.set(key, g);
  }
  if ("scalar" in r) g.scalar += r.scalar;
  else if ("ranges" in r) {
    g.ranges ??= [];
    g.ranges.push(...r.ranges);
  } else {
    g.set ??= new Set();
    for (const item of r.set) g.set.add(item);
  }
}

/** The normalized entry of a group, or undefined when it is empty. */
function finish(g: Group): Resource | undefined {
  const base = g.first.reservation
    ? { name: g.first.name, reservation: g.first.reservation }
    : { name: g.first.name };
  if ("scalar" in g.first) {
    const scalar = roundScalar(g.scalar);
    return scalar > 0 ? { ...base, scalar } : undefined;
  }
  if ("ranges" in g.first) {
    const ranges = coalesce(g.ranges ?? []);
    return ranges.length > 0 ? { ...base, ranges } : undefined;
  }
  return g.set && g.set.size > 0 ? { ...base, set: [...g.set].sort() } : undefined;
}

/** Normalized entries by group key. */
function grouped(resources: readonly Resource[]): Map<string, Resource> {
  const groups = new Map<string, Group>();
  for (const r of resources) gather(groups, r);
  const out = new Map<string, Resource>();
  for (const [key, g] of groups) {
    const entry = finish(g);
    if (entry) out.set(key, entry);
  }
  return out;
}

/** Merges entries of the same name, kind and reservation; drops empty ones. */
export function normalize(resources: readonly Resource[]): Resources {
  return [...grouped(resources).values()];
}

export function add(a: readonly Resource[], b: readonly Resource[]): Resources {
  return normalize([...a, ...b]);
}

/** `a − b`, entry by entry; what `a` lacks is ignored (check `contains` first when that matters). */
export function subtract(a: readonly Resource[], b: readonly Resource[]): Resources {
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
  return [...groups.values()].filter((r) => !isEmptyEntry(r));
}

function isEmptyEntry(r: Resource): boolean {
  if ("scalar" in r) return r.scalar <= 0;
  if ("ranges" in r) return r.ranges.length === 0;
  return r.set.length === 0;
}

/** True when every entry of `b` is covered by the entry of `a` with the same name and reservation. */
export function contains(a: readonly Resource[], b: readonly Resource[]): boolean {
  const groups = grouped(a);
  for (const [key, r] of grouped(b)) {
    const have = groups.get(key);
    if (!have || !covers(have, r)) return false;
  }
  return true;
}

function covers(have: Resource, need: Resource): boolean {
  if ("scalar" in have && "scalar" in need) return have.scalar >= need.scalar;
  if ("ranges" in have && "ranges" in need) return rangesContain(have.ranges, need.ranges);
  if ("set" in have && "set" in need) return need.set.every((x) => have.set.includes(x));
  return false;
}

export function isEmpty(resources: readonly Resource[]): boolean {
  return normalize(resources).length === 0;
}

export function equals(a: readonly Resource[], b: readonly Resource[]): boolean {
  return contains(a, b) && contains(b, a);
}

/** Sum of a scalar resource over every reservation (`cpus`, `mem`, `disk`, `gpus`). */
export function scalarOf(resources: readonly Resource[], name: string): number {
  let sum = 0;
  for (const r of resources) if (r.name === name && "scalar" in r) sum += r.scalar;
  return roundScalar(sum);
}

/** All ranges of a ranges resource over every reservation (e.g. `ports`). */
export function rangesOf(resources: readonly Resource[], name: string): Resource[] {
  return resources.filter((r) => r.name === name && "ranges" in r);
}

/** The role an entry is reserved for, or `*` when unreserved. */
export function roleOf(r: Resource): string {
  return r.reservation?.role ?? DEFAULT_ROLE;
}

/** `role` equals `ancestor` or sits below it in the role tree (`eng/web` is within `eng`). */
export function isWithinRole(role: string, ancestor: string): boolean {
  return role === ancestor || role.startsWith(`${ancestor}/`);
}

export function unreserved(resources: readonly Resource[]): Resources {
  return resources.filter((r) => !r.reservation);
}

export function reserved(resources: readonly Resource[], role?: string): Resources {
  return resources.filter((r) => r.reservation && (role === undefined || r.reservation.role === role));
}

/**
 * What a framework acting in `role` may be offered: unreserved resources plus those reserved for
 * `role` or one of its ancestors (reservations made for `eng` serve `eng/web`).
 */
export function allocatableTo(resources: readonly Resource[], role: string): Resources {
  return resources.filter((r) => !r.reservation || isWithinRole(role, r.reservation.role));
}

/** Drops every reservation, or re-reserves everything for one role (Mesos' `flatten`). */
export function flatten(resources: readonly Resource[], reservation?: Reservation): Resources {
  return normalize(
    resources.map((r) => {
      const { reservation: _drop, ...rest } = r;
      return (reservation ? { ...rest, reservation } : rest) as Resource;
    }),
  );
}
