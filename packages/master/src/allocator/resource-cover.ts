import type { Range, Reservation, Resource } from "@agora/protocol";

/**
 * A fast "does `outer` contain `inner`" for the allocator's hot loop (every framework × every
 * agent when frameworks decline a lot). Both sides must be normalized (one entry per name, kind
 * and reservation; ranges coalesced and sorted), which ledgers and offers always are, so unlike
 * the general `contains` it neither re-normalizes nor allocates: a few comparisons per entry.
 */
export function covers(outer: readonly Resource[], inner: readonly Resource[]): boolean {
  for (const r of inner) {
    const have = entryLike(outer, r);
    if (!have || !entryCovers(have, r)) return false;
  }
  return true;
}

/** The entry of `outer` of `r`'s name, reservation and kind; a loop, not `find`, called per filter per agent. */
function entryLike(outer: readonly Resource[], r: Resource): Resource | undefined {
  for (const o of outer)
    if (o.name === r.name && sameReservation(o.reservation, r.reservation) && sameKind(o, r)) return o;
  return undefined;
}

function sameKind(a: Resource, b: Resource): boolean {
  return ("scalar" in a && "scalar" in b) || ("ranges" in a && "ranges" in b) || ("set" in a && "set" in b);
}

function sameReservation(a: Reservation | undefined, b: Reservation | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.role !== b.role || a.type !== b.type || a.principal !== b.principal) return false;
  const la = Object.entries(a.labels ?? {});
  const lb = b.labels ?? {};
  return la.length === Object.keys(lb).length && la.every(([k, v]) => lb[k] === v);
}

function entryCovers(outer: Resource, inner: Resource): boolean {
  if ("scalar" in outer && "scalar" in inner) return outer.scalar >= inner.scalar;
  if ("ranges" in outer && "ranges" in inner) return rangesCover(outer.ranges, inner.ranges);
  if ("set" in outer && "set" in inner) return inner.set.every((x) => outer.set.includes(x));
  return false;
}

/** Both sorted and coalesced: walk them together once. */
function rangesCover(outer: readonly Range[], inner: readonly Range[]): boolean {
  let i = 0;
  for (const r of inner) {
    while (i < outer.length && outer[i]!.end < r.begin) i++;
    const o = outer[i];
    if (!o || o.begin > r.begin || o.end < r.end) return false;
  }
  return true;
}
