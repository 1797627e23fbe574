import type { Attribute, Reservation, Resource } from "../resources/schema.js";

/*
 * Mesos' v1 JSON written from our records: the pure pieces both the master (scheduler and operator
 * APIs) and the agent (executor and agent operator APIs) need. Reading Mesos' JSON stays with each
 * edge, whose errors name the fields of its own calls.
 */

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

/**
 * Status update uuids: ours are uuid strings, Mesos' are the 16 bytes of the uuid, base64 in JSON
 * (protobuf `bytes`). Translating both ways keeps them the same uuid.
 */
export function uuidToBase64(uuid: string): string {
  return Buffer.from(uuid.replaceAll("-", ""), "hex").toString("base64");
}
