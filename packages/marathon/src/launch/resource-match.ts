import { coalesce, normalize, type Range, type Resource, roundScalar, subtractRanges } from "@agora/protocol";
import type { RejectReason } from "./launch-queue.js";

/** What one instance takes from an offer. `ports`: one entry per port, 0 for any, else that exact port. */
export interface ResourceNeeds {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: readonly number[];
}

export type ResourceMatch = { resources: Resource[]; ports: number[] } | { reason: RejectReason };

/**
 * The concrete resources one instance takes from `pool` (what is left of an offer), using only
 * entries of the `acceptedRoles` (`*` = unreserved; reservations for an accepted role are used
 * first, as Marathon does), or the first reason it does not fit, in Marathon's check order.
 * `ports` come back in the order of `needs.ports`: fixed ones as asked, the others the lowest free.
 */
export function matchResources(
  pool: readonly Resource[],
  needs: ResourceNeeds,
  acceptedRoles: ReadonlySet<string>,
): ResourceMatch {
  const usable = pool
    .filter((r) => acceptedRoles.has(r.reservation?.role ?? "*"))
    .sort((a, b) => (a.reservation === undefined ? 1 : 0) - (b.reservation === undefined ? 1 : 0));
  if (usable.length === 0) return { reason: "UnfulfilledRole" };
  const scalars: [string, number, RejectReason][] = [
    ["cpus", needs.cpus, "InsufficientCpus"],
    ["mem", needs.mem, "InsufficientMemory"],
    ["disk", needs.disk, "InsufficientDisk"],
    ["gpus", needs.gpus, "InsufficientGpus"],
  ];
  const taken: Resource[] = [];
  for (const [name, amount, reason] of scalars) {
    const part = takeScalar(usable, name, amount);
    if (part === undefined) return { reason };
    taken.push(...part);
  }
  const ports = takePorts(usable, needs.ports);
  if (ports === undefined) return { reason: "InsufficientPorts" };
  return { resources: normalize([...taken, ...ports.resources]), ports: ports.values };
}

function takeScalar(usable: readonly Resource[], name: string, amount: number): Resource[] | undefined {
  let left = roundScalar(amount);
  const out: Resource[] = [];
  for (const r of usable) {
    if (left <= 0) break;
    if (r.name !== name || !("scalar" in r) || r.scalar <= 0) continue;
    const n = roundScalar(Math.min(left, r.scalar));
    out.push({ ...r, scalar: n });
    left = roundScalar(left - n);
  }
  return left > 0 ? undefined : out;
}

function takePorts(
  usable: readonly Resource[],
  wanted: readonly number[],
): { resources: Resource[]; values: number[] } | undefined {
  if (wanted.length === 0) return { resources: [], values: [] };
  // Free ranges per ports entry; taken values are cut out as they go, so no port is handed out twice.
  const entries = usable
    .filter((r): r is Extract<Resource, { ranges: Range[] }> => r.name === "ports" && "ranges" in r)
    .map((r) => ({ entry: r, free: coalesce(r.ranges), taken: [] as Range[] }));
  const take = (e: (typeof entries)[number], port: number): void => {
    e.free = subtractRanges(e.free, [{ begin: port, end: port }]);
    e.taken.push({ begin: port, end: port });
  };
  const values = wanted.map(() => 0);
  for (const [i, port] of wanted.entries()) {
    if (port === 0) continue;
    const e = entries.find((x) => x.free.some((r) => r.begin <= port && port <= r.end));
    if (e === undefined) return undefined;
    take(e, port);
    values[i] = port;
  }
  for (const [i, port] of wanted.entries()) {
    if (port !== 0) continue;
    const pick = firstFree(entries);
    if (pick === undefined) return undefined;
    take(pick.e, pick.port);
    values[i] = pick.port;
  }
  const resources = entries
    .filter((e) => e.taken.length > 0)
    .map((e) => ({ ...e.entry, ranges: coalesce(e.taken) }) as Resource);
  return { resources, values };
}

/** The lowest free port of the first entry that has one (fixed ports were cut out already). */
function firstFree<E extends { free: Range[] }>(entries: E[]): { e: E; port: number } | undefined {
  for (const e of entries) {
    const first = e.free[0];
    if (first !== undefined) return { e, port: first.begin };
  }
  return undefined;
}
