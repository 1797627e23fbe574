import { DEFAULT_ROLE } from "../ids.js";
import { coalesce, isCoalesced, rangesContain, subtractCoalesced, unionCoalesced } from "./ranges.js";
import {
  type Range,
  type RangesResource,
  type Reservation,
  type Resource,
  type Resources,
  SCALAR_PRECISION,
  type ScalarResource,
  type SetResource,
} from "./schema.js";

/**
 * Resource arithmetic over lists of typed entries. Entries are grouped by name, kind and
 * reservation; within a group scalars add, ranges merge and sets unite. Every function returns a
 * new, normalized list (one entry per group, in the order the groups first appear, no empty
 * entries) and never mutates its input. Entries are values: a result may share the `ranges` and
 * `set` arrays of its inputs, and nothing mutates an entry once built.
 *
 * The lists the master adds and subtracts on every offer, launch and status update are short and
 * already normalized (an agent's cpus, mem, disk and ports), so groups are found by comparing
 * entries, not by building string keys, and an entry alone in its group is checked rather than
 * re-normalized (ranges already coalesced, a set already sorted). When no two entries of either
 * list share a group (`distinctGroups`), no grouping is built at all: entries are paired by a
 * linear search and each result entry made once.
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
  return r.reservation ? `${r.name}|${kind}|${reservationKey(r.reservation)}` : `${r.name}|${kind}`;
}

/** Entries of one group sum into one: same name, same kind, equal reservations (as `groupKey` tells). */
function sameGroup(a: Resource, b: Resource): boolean {
  if (a.name !== b.name) return false;
  if ("scalar" in a ? !("scalar" in b) : "ranges" in a ? !("ranges" in b) : !("set" in b)) return false;
  const ra = a.reservation;
  const rb = b.reservation;
  if (ra === rb) return true;
  return ra !== undefined && rb !== undefined && reservationKey(ra) === reservationKey(rb);
}

/** Beyond this many groups in one list, groups are found through a map of their keys. */
const LINEAR_GROUPS = 8;

/**
 * Entries sorted into groups in the order the groups first appear: `firsts[i]` is a group's first
 * entry, `more[i]` all its entries when it has several.
 */
class Grouping {
  readonly firsts: Resource[] = [];
  readonly more: (Resource[] | undefined)[] = [];
  private keys: Map<string, number> | undefined;

  addAll(resources: readonly Resource[]): this {
    for (const r of resources) this.add(r);
    return this;
  }

  add(r: Resource): void {
    const i = this.indexOf(r);
    if (i >= 0) {
      const more = this.more[i];
      if (more) more.push(r);
      else this.more[i] = [this.firsts[i]!, r];
      return;
    }
    this.firsts.push(r);
    this.more.push(undefined);
    if (this.keys) this.keys.set(groupKey(r), this.firsts.length - 1);
    else if (this.firsts.length > LINEAR_GROUPS)
      this.keys = new Map(this.firsts.map((f, j) => [groupKey(f), j]));
  }

  private indexOf(r: Resource): number {
    if (this.keys) return this.keys.get(groupKey(r)) ?? -1;
    for (let i = 0; i < this.firsts.length; i++) if (sameGroup(this.firsts[i]!, r)) return i;
    return -1;
  }

  /** Each group's normalized entry, empty ones dropped. */
  finish(): Resource[] {
    const out: Resource[] = [];
    for (let i = 0; i < this.firsts.length; i++) {
      const entry = finish(this.firsts[i]!, this.more[i]);
      if (entry) out.push(entry);
    }
    return out;
  }
}

/** The normalized entry of a group (its first entry, and all of them when there are several), or undefined when empty. */
function finish(first: Resource, more: readonly Resource[] | undefined): Resource | undefined {
  if ("scalar" in first) {
    let sum = 0;
    if (more) for (const r of more) sum += (r as ScalarResource).scalar;
    else sum += first.scalar;
    const scalar = roundScalar(sum);
    return scalar > 0 ? scalarEntry(first, scalar) : undefined;
  }
  if ("ranges" in first) {
    let ranges: Range[];
    if (more) ranges = coalesce(more.flatMap((r) => (r as RangesResource).ranges));
    else ranges = isCoalesced(first.ranges) ? first.ranges : coalesce(first.ranges);
    return ranges.length > 0 ? rangesEntry(first, ranges) : undefined;
  }
  let set: string[];
  if (more) set = [...new Set(more.flatMap((r) => (r as SetResource).set))].sort();
  else set = isSortedUnique(first.set) ? first.set : [...new Set(first.set)].sort();
  return set.length > 0 ? setEntry(first, set) : undefined;
}

// An entry's fields always in the order name, reservation, value, as the wire and JSON views see them.
function scalarEntry(like: Resource, scalar: number): ScalarResource {
  return like.reservation
    ? { name: like.name, reservation: like.reservation, scalar }
    : { name: like.name, scalar };
}

function rangesEntry(like: Resource, ranges: Range[]): RangesResource {
  return like.reservation
    ? { name: like.name, reservation: like.reservation, ranges }
    : { name: like.name, ranges };
}

function setEntry(like: Resource, set: string[]): SetResource {
  return like.reservation
    ? { name: like.name, reservation: like.reservation, set }
    : { name: like.name, set };
}

/** Already as `[...new Set(items)].sort()` makes it. */
function isSortedUnique(items: readonly string[]): boolean {
  for (let i = 1; i < items.length; i++) if (!(items[i - 1]! < items[i]!)) return false;
  return true;
}

/** Finds the index of the entry of `normalized` (one entry per group) in an entry's group, or -1. */
function groupFinder(normalized: readonly Resource[]): (r: Resource) => number {
  if (normalized.length > LINEAR_GROUPS) {
    const keys = new Map(normalized.map((n, i) => [groupKey(n), i]));
    return (r) => keys.get(groupKey(r)) ?? -1;
  }
  return (r) => {
    for (let i = 0; i < normalized.length; i++) if (sameGroup(normalized[i]!, r)) return i;
    return -1;
  };
}

/**
 * Each entry of `resources` alone in its group, and few enough to be searched linearly: how ledgers,
 * offers and tasks keep their lists. Such a list's normal form is its entries one by one, so the
 * functions below skip the grouping for it (the bulk of an allocation cycle's arithmetic).
 */
function distinctGroups(resources: readonly Resource[]): boolean {
  if (resources.length > LINEAR_GROUPS) return false;
  for (let i = 1; i < resources.length; i++)
    for (let j = 0; j < i; j++) if (sameGroup(resources[j]!, resources[i]!)) return false;
  return true;
}

/** The index of the entry of `resources` in `r`'s group, or -1. */
function linearIndexOf(resources: readonly Resource[], r: Resource): number {
  for (let i = 0; i < resources.length; i++) if (sameGroup(resources[i]!, r)) return i;
  return -1;
}

/** Merges entries of the same name, kind and reservation; drops empty ones. */
export function normalize(resources: readonly Resource[]): Resources {
  if (distinctGroups(resources)) {
    const out: Resource[] = [];
    for (const r of resources) {
      const entry = finish(r, undefined);
      if (entry) out.push(entry);
    }
    return out;
  }
  return new Grouping().addAll(resources).finish();
}

export function add(a: readonly Resource[], b: readonly Resource[]): Resources {
  if (distinctGroups(a) && distinctGroups(b)) return addDistinct(a, b);
  return new Grouping().addAll(a).addAll(b).finish();
}

/** `add` for two lists of distinct groups: a group has one entry of each at most, in `Grouping`'s order. */
function addDistinct(a: readonly Resource[], b: readonly Resource[]): Resources {
  const out: Resource[] = [];
  for (const x of a) {
    const i = linearIndexOf(b, x);
    const entry = i < 0 ? finish(x, undefined) : finishPair(x, b[i]!);
    if (entry) out.push(entry);
  }
  for (const y of b) {
    if (linearIndexOf(a, y) >= 0) continue;
    const entry = finish(y, undefined);
    if (entry) out.push(entry);
  }
  return out;
}

/** What `finish(x, [x, y])` gives, without the arrays for two scalars or two coalesced range lists. */
function finishPair(x: Resource, y: Resource): Resource | undefined {
  if ("ranges" in x) {
    const other = (y as RangesResource).ranges;
    if (!isCoalesced(x.ranges) || !isCoalesced(other)) return finish(x, [x, y]);
    const ranges = unionCoalesced(x.ranges, other);
    return ranges.length > 0 ? rangesEntry(x, ranges) : undefined;
  }
  if (!("scalar" in x)) return finish(x, [x, y]);
  let sum = 0;
  sum += x.scalar;
  sum += (y as ScalarResource).scalar;
  const scalar = roundScalar(sum);
  return scalar > 0 ? scalarEntry(x, scalar) : undefined;
}

/** `a − b`, entry by entry; what `a` lacks is ignored (check `contains` first when that matters). */
export function subtract(a: readonly Resource[], b: readonly Resource[]): Resources {
  if (distinctGroups(a) && distinctGroups(b)) return subtractDistinct(a, b);
  const left = normalize(a);
  const indexOf = groupFinder(left);
  for (const r of normalize(b)) {
    const i = indexOf(r);
    if (i >= 0) left[i] = minus(left[i]!, r);
  }
  return left.filter((r) => !isEmptyEntry(r));
}

/**
 * `subtract` for two lists of distinct groups: each entry of `a` normalized alone, less the entry of
 * `b` in its group normalized alone, in `a`'s order; a scalar's steps done on numbers, not entries.
 */
function subtractDistinct(a: readonly Resource[], b: readonly Resource[]): Resources {
  const out: Resource[] = [];
  for (const have of a) {
    const i = linearIndexOf(b, have);
    if ("scalar" in have) {
      let scalar = roundScalar(have.scalar);
      if (scalar <= 0) continue;
      if (i >= 0) {
        const taken = roundScalar((b[i] as ScalarResource).scalar);
        if (taken > 0) scalar = roundScalar(scalar - taken);
      }
      if (scalar > 0) out.push(scalarEntry(have, scalar));
      continue;
    }
    let entry = finish(have, undefined);
    if (!entry) continue;
    const taken = i < 0 ? undefined : finish(b[i]!, undefined);
    if (taken) entry = minus(entry, taken);
    if (!isEmptyEntry(entry)) out.push(entry);
  }
  return out;
}

/** `have − r` for two normalized entries of one group. */
function minus(have: Resource, r: Resource): Resource {
  if ("scalar" in have) return scalarEntry(have, roundScalar(have.scalar - (r as ScalarResource).scalar));
  if ("ranges" in have)
    return rangesEntry(have, subtractCoalesced(have.ranges, (r as RangesResource).ranges));
  const drop = new Set((r as SetResource).set);
  return setEntry(
    have,
    have.set.filter((x) => !drop.has(x)),
  );
}

function isEmptyEntry(r: Resource): boolean {
  if ("scalar" in r) return r.scalar <= 0;
  if ("ranges" in r) return r.ranges.length === 0;
  return r.set.length === 0;
}

/** True when every entry of `b` is covered by the entry of `a` with the same name and reservation. */
export function contains(a: readonly Resource[], b: readonly Resource[]): boolean {
  const have = normalize(a);
  const indexOf = groupFinder(have);
  for (const r of normalize(b)) {
    const i = indexOf(r);
    if (i < 0 || !covers(have[i]!, r)) return false;
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
