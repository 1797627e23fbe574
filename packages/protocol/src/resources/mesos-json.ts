import { roundScalar } from "./arithmetic.js";
import { formatRanges } from "./ranges.js";
import type { Attribute, Range, Resource } from "./schema.js";

/** Mesos' JSON resources object: `{"cpus":2,"mem":1024,"disk":0,"gpus":0,"ports":"[31000-32000]"}`. */
export type MesosResources = Record<string, number | string>;

/**
 * Resources as Mesos' HTTP endpoints show them (`/master/state`, `/state`), so Mesos tooling can
 * read ours: scalars summed over reservations, ranges as `[a-b,…]`, sets as `{a,b}`.
 */
export function mesosResources(resources: readonly Resource[]): MesosResources {
  const scalars = new Map<string, number>();
  const ranges = new Map<string, Range[]>();
  const sets = new Map<string, Set<string>>();
  for (const r of resources) {
    if ("scalar" in r) scalars.set(r.name, (scalars.get(r.name) ?? 0) + r.scalar);
    else if ("ranges" in r) ranges.set(r.name, [...(ranges.get(r.name) ?? []), ...r.ranges]);
    else sets.set(r.name, new Set([...(sets.get(r.name) ?? []), ...r.set]));
  }
  const out: MesosResources = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const [name, v] of scalars) out[name] = roundScalar(v);
  for (const [name, v] of ranges) out[name] = formatRanges(v);
  for (const [name, v] of sets) out[name] = `{${[...v].sort().join(",")}}`;
  return out;
}

/** Mesos' attributes object: `{"rack":"r1","level":3}`. */
export function mesosAttributes(attributes: readonly Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes) {
    if ("text" in a) out[a.name] = a.text;
    else if ("scalar" in a) out[a.name] = a.scalar;
    else if ("ranges" in a) out[a.name] = formatRanges(a.ranges);
    else out[a.name] = `{${a.set.join(",")}}`;
  }
  return out;
}
