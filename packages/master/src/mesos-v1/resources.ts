import type { Attribute, Reservation, Resource } from "@agora/protocol";
import { MesosV1Error } from "./errors.js";
import type { MesosResource } from "./schemas.js";

/** Mesos' `Labels` message: `{labels: [{key, value}]}`. */
export function toMesosLabels(labels: Readonly<Record<string, string>>): {
  labels: { key: string; value: string }[];
} {
  return { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) };
}

export function fromMesosLabels(labels: {
  labels: { key: string; value: string }[];
}): Record<string, string> {
  return Object.fromEntries(labels.labels.map((l) => [l.key, l.value]));
}

/**
 * How reservations are written to a framework: `refined` (the `reservations` stack, for frameworks
 * with the RESERVATION_REFINEMENT capability) or `legacy` (`role` plus, when dynamic,
 * `reservation`), as Mesos' master downgrades resources for frameworks without the capability.
 */
export type ReservationFormat = "refined" | "legacy";

/** One of our resources as Mesos' `Resource` JSON; `allocationRole` sets `allocation_info` (offers). */
export function toMesosResource(
  r: Resource,
  format: ReservationFormat = "refined",
  allocationRole?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name };
  if ("scalar" in r) Object.assign(out, { type: "SCALAR", scalar: { value: r.scalar } });
  else if ("ranges" in r)
    Object.assign(out, {
      type: "RANGES",
      ranges: { range: r.ranges.map(({ begin, end }) => ({ begin, end })) },
    });
  else Object.assign(out, { type: "SET", set: { item: [...r.set] } });
  const res = r.reservation;
  if (format === "refined") {
    if (res) out.reservations = [mesosReservation(res)];
  } else {
    out.role = res?.role ?? "*";
    if (res?.type === "dynamic")
      out.reservation = {
        ...(res.principal === undefined ? {} : { principal: res.principal }),
        ...(res.labels === undefined ? {} : { labels: toMesosLabels(res.labels) }),
      };
  }
  if (allocationRole !== undefined) out.allocation_info = { role: allocationRole };
  return out;
}

function mesosReservation(res: Reservation): Record<string, unknown> {
  return {
    type: res.type === "static" ? "STATIC" : "DYNAMIC",
    role: res.role,
    ...(res.principal === undefined ? {} : { principal: res.principal }),
    ...(res.labels === undefined ? {} : { labels: toMesosLabels(res.labels) }),
  };
}

export function toMesosResources(
  resources: readonly Resource[],
  format: ReservationFormat = "refined",
  allocationRole?: string,
): Record<string, unknown>[] {
  return resources.map((r) => toMesosResource(r, format, allocationRole));
}

/**
 * A Mesos `Resource` as ours. Both reservation formats are read; a stack of more than one
 * reservation (refinement), persistent volumes and shared resources are refused, naming `field`.
 */
export function fromMesosResource(r: MesosResource, field: string): Resource {
  if (r.disk?.persistence !== undefined)
    throw new MesosV1Error(`${field}.disk.persistence`, "persistent volumes are not supported by Agora");
  if (r.shared !== undefined)
    throw new MesosV1Error(`${field}.shared`, "shared resources are not supported by Agora");
  const reservation = readReservation(r, field);
  const common = { name: r.name, ...(reservation ? { reservation } : {}) };
  switch (r.type) {
    case "SCALAR":
      if (!r.scalar) throw new MesosV1Error(`${field}.scalar`, "a SCALAR resource needs 'scalar'");
      return { ...common, scalar: r.scalar.value };
    case "RANGES":
      if (!r.ranges) throw new MesosV1Error(`${field}.ranges`, "a RANGES resource needs 'ranges'");
      return { ...common, ranges: r.ranges.range.map(({ begin, end }) => ({ begin, end })) };
    case "SET":
      if (!r.set) throw new MesosV1Error(`${field}.set`, "a SET resource needs 'set'");
      return { ...common, set: [...r.set.item] };
  }
}

function readReservation(r: MesosResource, field: string): Reservation | undefined {
  if (r.reservations && r.reservations.length > 0) {
    if (r.reservations.length > 1)
      throw new MesosV1Error(
        `${field}.reservations`,
        "refined reservations (more than one) are not supported by Agora",
      );
    const res = r.reservations[0]!;
    if (res.role === undefined)
      throw new MesosV1Error(`${field}.reservations[0].role`, "a reservation needs a role");
    const type = res.type === "STATIC" ? "static" : "dynamic";
    return {
      role: res.role,
      type,
      ...(res.principal === undefined ? {} : { principal: res.principal }),
      ...(res.labels === undefined ? {} : { labels: fromMesosLabels(res.labels) }),
    };
  }
  if (r.role === undefined || r.role === "*") return undefined;
  const dynamic = r.reservation !== undefined;
  return {
    role: r.role,
    type: dynamic ? "dynamic" : "static",
    ...(r.reservation?.principal === undefined ? {} : { principal: r.reservation.principal }),
    ...(r.reservation?.labels === undefined ? {} : { labels: fromMesosLabels(r.reservation.labels) }),
  };
}

export function fromMesosResources(resources: readonly MesosResource[], field: string): Resource[] {
  return resources.map((r, i) => fromMesosResource(r, `${field}[${i}]`));
}

/** Our attributes as Mesos' `Attribute` JSON (`type` TEXT/SCALAR/RANGES/SET). */
export function toMesosAttribute(a: Attribute): Record<string, unknown> {
  if ("text" in a) return { name: a.name, type: "TEXT", text: { value: a.text } };
  if ("scalar" in a) return { name: a.name, type: "SCALAR", scalar: { value: a.scalar } };
  if ("ranges" in a)
    return {
      name: a.name,
      type: "RANGES",
      ranges: { range: a.ranges.map(({ begin, end }) => ({ begin, end })) },
    };
  return { name: a.name, type: "SET", set: { item: [...a.set] } };
}
