import type { Range } from "./schema.js";

/** Sorts and merges overlapping or adjacent ranges: [1-3],[4-5],[7-7] → [1-5],[7-7]. */
export function coalesce(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else {
      out.push({ begin: r.begin, end: r.end });
    }
  }
  return out;
}

/**
 * Already what `coalesce` would return (sorted, each range well formed and apart from the previous
 * by a gap), so `coalesce` can be skipped: ledgers and offers keep their ranges this way.
 */
export function isCoalesced(ranges: readonly Range[]): boolean {
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const r of ranges) {
    // Negated so that a NaN bound fails too (and takes `coalesce`'s path, whatever that makes of it).
    if (!(r.begin <= r.end && r.begin > lastEnd + 1)) return false;
    lastEnd = r.end;
  }
  return true;
}

/**
 * `coalesce([...a, ...b])` for two lists already coalesced: one merging walk instead of a sort, new
 * range objects as `coalesce` makes them.
 */
export function unionCoalesced(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const r = j >= b.length || (i < a.length && a[i]!.begin <= b[j]!.begin) ? a[i++]! : b[j++]!;
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ begin: r.begin, end: r.end });
  }
  return out;
}

function coalesced(ranges: readonly Range[]): readonly Range[] {
  return isCoalesced(ranges) ? ranges : coalesce(ranges);
}

export function rangesSize(ranges: readonly Range[]): number {
  let n = 0;
  for (const r of coalesce(ranges)) n += r.end - r.begin + 1;
  return n;
}

/** Every value of `inner` lies in `outer`. */
export function rangesContain(outer: readonly Range[], inner: readonly Range[]): boolean {
  const o = coalesced(outer);
  return coalesced(inner).every((r) => o.some((x) => x.begin <= r.begin && r.end <= x.end));
}

export function subtractRanges(from: readonly Range[], remove: readonly Range[]): Range[] {
  return subtractCoalesced(coalesce(from), coalesced(remove));
}

/**
 * `from − remove` for lists already coalesced (see `isCoalesced`); the result is coalesced too and
 * shares the untouched ranges of `from`.
 */
export function subtractCoalesced(from: readonly Range[], remove: readonly Range[]): Range[] {
  let out = [...from];
  for (const r of remove) {
    const next: Range[] = [];
    for (const x of out) {
      if (r.end < x.begin || r.begin > x.end) {
        next.push(x);
        continue;
      }
      if (x.begin < r.begin) next.push({ begin: x.begin, end: r.begin - 1 });
      if (r.end < x.end) next.push({ begin: r.end + 1, end: x.end });
    }
    out = next;
  }
  return out;
}

/** Takes the first `count` values of `ranges` as ranges, or undefined when there are fewer. */
export function takeFromRanges(ranges: readonly Range[], count: number): Range[] | undefined {
  const out: Range[] = [];
  let left = count;
  for (const r of coalesce(ranges)) {
    if (left <= 0) break;
    const n = Math.min(left, r.end - r.begin + 1);
    out.push({ begin: r.begin, end: r.begin + n - 1 });
    left -= n;
  }
  return left > 0 ? undefined : out;
}

/** `[31000-31005,31010-31010]` in Mesos' textual form. */
export function formatRanges(ranges: readonly Range[]): string {
  return `[${coalesce(ranges)
    .map((r) => `${r.begin}-${r.end}`)
    .join(",")}]`;
}

/** Lists every value; for env vars such as PORT0…, never for the 1,001-port agent pool. */
export function rangeValues(ranges: readonly Range[]): number[] {
  const out: number[] = [];
  for (const r of coalesce(ranges)) for (let v = r.begin; v <= r.end; v++) out.push(v);
  return out;
}
