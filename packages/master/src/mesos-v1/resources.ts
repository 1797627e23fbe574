import type { Reservation, Resource } from "@agora/protocol";
import { fromMesosLabels } from "@agora/protocol/mesos-v1";
import { MesosV1Error } from "./errors.js";
import type { MesosResource } from "./schemas.js";

export {
  fromMesosLabels,
  type ReservationFormat,
  toMesosAttribute,
  toMesosLabels,
  toMesosResource,
  toMesosResources,
} from "@agora/protocol/mesos-v1";

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
