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
  // The four names every object shows are summed in place (their keys come first anyway); only
  // other names, ranges and sets need maps. Called for every agent, offer and framework a
  // `/master/state` or the UI's digest renders.
  let cpus = 0;
  let mem = 0;
  let disk = 0;
  let gpus = 0;
  let scalars: Map<string, number> | undefined;
  let ranges: Map<string, Range[]> | undefined;
  let sets: Map<string, Set<string>> | undefined;
  for (const r of resources) {
    if ("scalar" in r) {
      if (r.name === "cpus") cpus += r.scalar;
      else if (r.name === "mem") mem += r.scalar;
      else if (r.name === "disk") disk += r.scalar;
      else if (r.name === "gpus") gpus += r.scalar;
      else {
        scalars ??= new Map();
        scalars.set(r.name, (scalars.get(r.name) ?? 0) + r.scalar);
      }
    } else if ("ranges" in r) {
      ranges ??= new Map();
      const list = ranges.get(r.name);
      if (list) list.push(...r.ranges);
      else ranges.set(r.name, [...r.ranges]);
    } else {
      sets ??= new Map();
      const set = sets.get(r.name);
      if (set) for (const item of r.set) set.add(item);
      else sets.set(r.name, new Set(r.set));
    }
  }
  const out: MesosResources = {
    cpus: roundScalar(cpus),
    mem: roundScalar(mem),
    disk: roundScalar(disk),
    gpus: roundScalar(gpus),
  };
  for (const [name, v] of scalars ?? []) out[name] = roundScalar(v);
  for (const [name, v] of ranges ?? []) out[name] = formatRanges(v);
  for (const [name, v] of sets ?? []) out[name] = `{${[...v].sort().join(",")}}`;
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
