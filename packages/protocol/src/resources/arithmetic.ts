import { DEFAULT_ROLE } from "../ids.js";
import { coalesce, rangesContain, subtractRanges } from "./ranges.js";
import { type Reservation, type Resource, type Resources, SCALAR_PRECISION } from "./schema.js";

/**
 * Resource arithmetic over lists of typed entries. Entries are grouped by name and reservation;
 * within a group scalars add, ranges merge and sets unite. Every function returns a new,
 * normalized list (one entry per group, no empty entries) and never mutates its input.
 */

export function roundScalar(value: number): number {
  return Math.round(value * SCALAR_PRECISION) / SCALAR_PRECISION;
}

function reservationKey(r: Reservation | undefined): string {
  if (!r) return "";
  const labels = r.labels ? JSON.stringify(Object.entries(r.labels).sort()) : "";
  return `${r.role}|${r.type}|${r.principal ?? ""}|${labels}`;
}

function kind(r: Resource): "scalar" | "ranges" | "set" {
  return "scalar" in r ? "scalar" : "ranges" in r ? "ranges" : "set";
}

function groupKey(r: Resource): string {
  return `${r.name}|${kind(r)}|${reservationKey(r.reservation)}`;
}

function isEmptyEntry(r: Resource): boolean {
  if ("scalar" in r) return r.scalar <= 0;
  if ("ranges" in r) return r.ranges.length === 0;
  return r.set.length === 0;
}

function cloneEntry(r: Resource): Resource {
  const base = r.reservation ? { name: r.name, reservation: r.reservation } : { name: r.name };
  if ("scalar" in r) return { ...base, scalar: roundScalar(r.scalar) };
  if ("ranges" in r) return { ...base, ranges: coalesce(r.ranges) };
  return { ...base, set: [...new Set(r.set)].sort() };
}

function mergeInto(target: Resource, r: Resource): Resource {
  if ("scalar" in target && "scalar" in r)
    return { ...target, scalar: roundScalar(target.scalar + r.scalar) };
  if ("ranges" in target && "ranges" in r)
    return { ...target, ranges: coalesce([...target.ranges, ...r.ranges]) };
  if ("set" in target && "set" in r)
    return { ...target, set: [...new Set([...target.set, ...r.set])].sort() };
  return target;
}

/** Merges entries of the same name, kind and reservation; drops empty ones. */
export function normalize(resources: readonly Resource[]): Resources {
  const groups = new Map<string, Resource>();
  for (const r of resources) {
    const key = groupKey(r);
    const existing = groups.get(key);
    groups.set(key, existing ? mergeInto(existing, r) : cloneEntry(r));
  }
  return [...groups.values()].filter((r) => !isEmptyEntry(r));
}

export function add(a: readonly Resource[], b: readonly Resource[]): Resources {
  return normalize([...a, ...b]);
}

/** `a − b`, entry by entry; what `a` lacks is ignored (check `contains` first when that matters). */
export function subtract(a: readonly Resource[], b: readonly Resource[]): Resources {
  const groups = new Map(normalize(a).map((r) => [groupKey(r), r]));
  for (const r of normalize(b)) {
    const key = groupKey(r);
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

/** True when every entry of `b` is covered by the entry of `a` with the same name and reservation. */
export function contains(a: readonly Resource[], b: readonly Resource[]): boolean {
  const groups = new Map(normalize(a).map((r) => [groupKey(r), r]));
  return normalize(b).every((r) => {
    const have = groups.get(groupKey(r));
    if (!have) return false;
    if ("scalar" in have && "scalar" in r) return have.scalar >= r.scalar;
    if ("ranges" in have && "ranges" in r) return rangesContain(have.ranges, r.ranges);
    if ("set" in have && "set" in r) return r.set.every((x) => have.set.includes(x));
    return false;
  });
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
