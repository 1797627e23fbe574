import {
  type Attribute,
  formatRanges,
  type Resource,
  roleOf,
  roundScalar,
  unreserved,
} from "@agora/protocol";

/** Mesos' JSON resources object: `{"cpus":2,"mem":1024,"disk":0,"gpus":0,"ports":"[31000-32000]"}`. */
export type MesosResources = Record<string, number | string>;

export function mesosResources(resources: readonly Resource[]): MesosResources {
  const out: MesosResources = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  const ranges = new Map<string, Resource[]>();
  for (const r of resources) {
    if ("scalar" in r) out[r.name] = roundScalar(Number(out[r.name] ?? 0) + r.scalar);
    else if ("ranges" in r) ranges.set(r.name, [...(ranges.get(r.name) ?? []), r]);
    else out[r.name] = `{${r.set.join(",")}}`;
  }
  for (const [name, list] of ranges)
    out[name] = formatRanges(list.flatMap((r) => ("ranges" in r ? r.ranges : [])));
  return out;
}

/** Reserved resources grouped by role, as Mesos' `reserved_resources`. */
export function mesosReservedByRole(resources: readonly Resource[]): Record<string, MesosResources> {
  const byRole = new Map<string, Resource[]>();
  for (const r of resources) {
    if (!r.reservation) continue;
    const role = roleOf(r);
    byRole.set(role, [...(byRole.get(role) ?? []), r]);
  }
  return Object.fromEntries([...byRole].map(([role, list]) => [role, mesosResources(list)]));
}

export function mesosUnreserved(resources: readonly Resource[]): MesosResources {
  return mesosResources(unreserved(resources));
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

/** Mesos labels: `[{key, value}]`. */
export function mesosLabels(
  labels: Readonly<Record<string, string>> | undefined,
): { key: string; value: string }[] {
  return Object.entries(labels ?? {}).map(([key, value]) => ({ key, value }));
}
