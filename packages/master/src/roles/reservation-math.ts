import {
  AgentId as AgentIdSchema,
  add,
  contains,
  flatten,
  normalize,
  type Resource,
  Resource as ResourceSchema,
  type Resources,
  subtract,
  unreserved,
} from "@agora/protocol";
import { z } from "zod";
import { MasterError } from "../errors.js";

/** Reservation arithmetic, pure: what the registry books and what the reserve operations validate. */

/** An agent's dynamic reservations as persisted under `reservations.<agentId>`. */
export const ReservationRecord = z
  .object({ agentId: AgentIdSchema, resources: z.array(ResourceSchema) })
  .strict();
export type ReservationRecord = z.infer<typeof ReservationRecord>;

/**
 * An agent's total as the master books it: what it reports (static reservations included) with
 * its dynamic reservations carved out of the unreserved part. Reservations the agent no longer has
 * room for (it came back smaller) are not applied: the agent's word on its size wins.
 */
export function withReservations(reported: readonly Resource[], dynamic: readonly Resource[]): Resources {
  if (dynamic.length === 0) return normalize(reported);
  const plain = flatten(dynamic);
  if (!contains(unreserved(reported), plain)) return normalize(reported);
  return add(subtract(reported, plain), dynamic);
}

/** The resources to reserve, each carrying a role other than `*`; made dynamic. */
export function dynamicReservation(resources: readonly Resource[], field: string): Resources {
  resources.forEach((r, i) => {
    if (!r.reservation || r.reservation.role === "*") {
      throw new MasterError("INVALID_OPERATION", "every reserved resource needs a reservation for a role", {
        field: `${field}.${i}.reservation`,
      });
    }
  });
  return normalize(
    resources.map((r) => ({ ...r, reservation: { ...r.reservation!, type: "dynamic" as const } })),
  );
}
