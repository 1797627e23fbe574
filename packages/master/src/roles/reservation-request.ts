import { deepestUnionIssue, ResourceName, Resource as ResourceSchema, RoleName } from "@agora/protocol";
import { z } from "zod";

/**
 * Mesos' JSON form of a reserved scalar: `{"name":"cpus","type":"SCALAR","scalar":{"value":1},
 * "reservations":[{"type":"DYNAMIC","role":"eng","principal":"ops"}]}` (the last reservation of the
 * stack is the one that counts) or the pre-1.4 `{"role":"eng","reservation":{"principal":"ops"}}`.
 */
const MesosReservedScalar = z
  .object({
    name: ResourceName,
    type: z.literal("SCALAR").optional(),
    scalar: z.object({ value: z.number().finite().nonnegative() }).strict(),
    role: RoleName.optional(),
    reservation: z.object({ principal: z.string().min(1).optional() }).optional(),
    reservations: z
      .array(
        z.object({ type: z.string().optional(), role: RoleName, principal: z.string().min(1).optional() }),
      )
      .min(1)
      .optional(),
  })
  .strict()
  .transform((r, ctx) => {
    const last = r.reservations?.at(-1);
    const role = last?.role ?? r.role;
    if (!role || role === "*") {
      ctx.addIssue({ code: "custom", message: "a reserved resource needs a role", path: ["reservations"] });
      return z.NEVER;
    }
    const principal = last?.principal ?? r.reservation?.principal;
    return {
      name: r.name,
      scalar: r.scalar.value,
      reservation: { role, type: "dynamic" as const, ...(principal ? { principal } : {}) },
    };
  });

/**
 * The body of `POST /reserve` and `POST /unreserve`: the agent (`agentId`, or Mesos' `agent_id:
 * {value}` / `slaveId`) and the reserved resources, in our shape or Mesos'.
 */
export const ReservationRequest = z
  .object({
    agentId: z.string().min(1).optional(),
    agent_id: z.object({ value: z.string().min(1) }).optional(),
    slaveId: z.string().min(1).optional(),
    resources: z.array(z.union([ResourceSchema, MesosReservedScalar], { error: deepestUnionIssue })).min(1),
  })
  .strict()
  .transform((b, ctx) => {
    const agentId = b.agentId ?? b.agent_id?.value ?? b.slaveId;
    if (!agentId) {
      ctx.addIssue({ code: "custom", message: "agentId is required", path: ["agentId"] });
      return z.NEVER;
    }
    return { agentId, resources: b.resources };
  });
export type ReservationRequest = z.output<typeof ReservationRequest>;
