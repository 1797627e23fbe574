import { type MesosResources, mesosResources, type Resource, roleOf, unreserved } from "@agora/protocol";

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

/** Mesos labels: `[{key, value}]`. */
export function mesosLabels(
  labels: Readonly<Record<string, string>> | undefined,
): { key: string; value: string }[] {
  return Object.entries(labels ?? {}).map(([key, value]) => ({ key, value }));
}
