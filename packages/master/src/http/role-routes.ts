import { firstIssue, mesosResources, type Resource } from "@agora/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import { QuotaInfo } from "../roles/quota.js";
import { ReservationRequest } from "../roles/reservation-request.js";
import type { RoleSummary } from "../roles/role-summary.js";
import { WeightInfos } from "../roles/weights.js";
import { authorize, authorizeReservation, visibleTo, visibleView } from "./authorize.js";

export interface RoleRoutesOptions {
  master: Master;
}

/**
 * The operator endpoints for roles: `/weights` (Mesos' shape: `[{role, weight}]`) and `/quota`
 * (`GET` → `{infos: [{role, guarantee, limit}]}`, `POST` one role's quota, `DELETE /quota/:role`),
 * `POST /reserve` and `POST /unreserve` (`{agentId, resources}`, 202 as in Mesos), and
 * `/master/roles` (also `/roles`).
 */
export async function roleRoutes(app: FastifyInstance, { master }: RoleRoutesOptions): Promise<void> {
  // Each listing shows what the principal's view_roles / get_quotas allow, as Mesos filters them.
  const roles = async (request: FastifyRequest) => {
    const shown = visibleTo(master, request, "view_roles");
    // A role lists only the frameworks the principal may view (view_frameworks), as /master/state does.
    return {
      roles: visibleView(master, request)
        .roles()
        .filter((r) => shown(r.name))
        .map(mesosRole),
    };
  };
  app.get("/master/roles", roles);
  app.get("/roles", roles);
  app.get("/weights", async (request) =>
    master.weights().filter((w) => visibleTo(master, request, "view_roles")(w.role)),
  );
  app.put("/weights", async (request, reply) => {
    const parsed = WeightInfos.safeParse(request.body);
    if (!parsed.success) {
      const { message, field } = firstIssue(parsed.error);
      throw new MasterError("INVALID_REQUEST", `weights: ${message}`, { field });
    }
    authorize(
      master,
      request,
      "update_weights",
      parsed.data.map((w) => w.role),
    );
    await master.updateWeights(parsed.data);
    return reply.code(200).send(master.weights());
  });
  for (const kind of ["reserve", "unreserve"] as const) {
    app.post(`/${kind}`, async (request, reply) => {
      const parsed = ReservationRequest.safeParse(request.body);
      if (!parsed.success) {
        const { message, field } = firstIssue(parsed.error);
        throw new MasterError("INVALID_REQUEST", `${kind}: ${message}`, { field });
      }
      const { agentId, resources } = parsed.data;
      authorizeReservation(master, request, kind, resources);
      await master[kind](agentId, resources);
      return reply.code(202).send();
    });
  }
  app.get("/quota", async (request) => {
    const shown = visibleTo(master, request, "get_quotas");
    return { infos: master.quotas().filter((q) => shown(q.role)) };
  });
  app.post("/quota", async (request, reply) => {
    const parsed = QuotaInfo.safeParse(request.body);
    if (!parsed.success) {
      const { message, field } = firstIssue(parsed.error);
      throw new MasterError("INVALID_REQUEST", `quota: ${message}`, { field });
    }
    authorize(master, request, "update_quotas", [parsed.data.role]);
    await master.setQuota(parsed.data);
    return reply.code(200).send(parsed.data);
  });
  // A wildcard, not `:role`: hierarchical roles hold `/`.
  app.delete<{ Params: { "*": string } }>("/quota/*", async (request, reply) => {
    authorize(master, request, "update_quotas", [request.params["*"]]);
    await master.removeQuota(request.params["*"]);
    return reply.code(204).send();
  });
}

/** A role in the shape of Mesos' `/roles`, plus quota, reservations and the dominant share. */
export function mesosRole(r: RoleSummary) {
  return {
    name: r.name,
    weight: r.weight,
    frameworks: r.frameworks,
    resources: mesosResources(r.allocated),
    allocated: mesosResources(r.allocated),
    reserved: mesosResources(r.reserved),
    dominant_share: r.dominantShare,
    quota: {
      role: r.name,
      guarantee: quantities(r.quota?.guarantee ?? []),
      limit: quantities(r.quota?.limit ?? []),
    },
  };
}

/** Only the names listed (an absent limit means none, not zero). */
function quantities(resources: readonly Resource[]): Record<string, number> {
  return Object.fromEntries(resources.flatMap((r) => ("scalar" in r ? [[r.name, r.scalar]] : [])));
}
