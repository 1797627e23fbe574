import { add, contains, flatten, type Resource, type Resources, subtract } from "@agora/protocol";
import { QuotaLedger } from "../allocator/quota.js";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { rescindAllOffers } from "../offers.js";
import { persist } from "../persistence.js";
import type { AgentEntry } from "../registry/entries.js";
import { holdingsByRole } from "../registry/holdings.js";
import type { MasterState } from "../registry/master-state.js";
import { registryKeys } from "../registry/records.js";
import { allocatorQuotas } from "./quota.js";
import { dynamicReservation, withReservations } from "./reservation-math.js";

/**
 * Reserves unreserved, unused resources of an agent for a role. Applied at once (so nothing can
 * take them meanwhile), then persisted. `checkQuota`: the reservation adds to the role's quota
 * consumption (an operator reserving idle resources), so it must fit the role's limits; a framework
 * reserving from its own offer consumed them already.
 */
export async function reserve(
  ctx: MasterContext,
  agent: AgentEntry,
  resources: readonly Resource[],
  { field, checkQuota }: { field: string; checkQuota: boolean },
): Promise<void> {
  const reserved = dynamicReservation(resources, field);
  if (!contains(agent.resources.available, flatten(reserved))) {
    throw new MasterError(
      "INSUFFICIENT_RESOURCES",
      `agent ${agent.id} has not that much unreserved and idle`,
      {
        field,
      },
    );
  }
  if (checkQuota) checkLimits(ctx.state, reserved, field);
  await record(ctx, agent, add(ctx.state.reservations.get(agent.id) ?? [], reserved));
}

/** Unreserves dynamically reserved resources of an agent that no task uses and no offer holds. */
export async function unreserve(
  ctx: MasterContext,
  agent: AgentEntry,
  resources: readonly Resource[],
  { field }: { field: string },
): Promise<void> {
  const reserved = dynamicReservation(resources, field);
  const current = ctx.state.reservations.get(agent.id) ?? [];
  if (!contains(current, reserved)) {
    throw new MasterError("INVALID_OPERATION", `agent ${agent.id} holds no such dynamic reservation`, {
      field,
    });
  }
  if (!contains(agent.resources.available, reserved)) {
    throw new MasterError("RESERVATION_IN_USE", `the reservation on agent ${agent.id} is in use`, { field });
  }
  await record(ctx, agent, subtract(current, reserved));
}

function checkLimits(state: MasterState, reserved: readonly Resource[], field: string): void {
  if (state.quotas.size === 0) return;
  const ledger = new QuotaLedger(
    allocatorQuotas(state.quotas),
    [...state.agents.values()].flatMap((a) => a.resources.total.filter((r) => r.reservation)),
    [...state.frameworks.values()].flatMap((f) =>
      [...holdingsByRole(state.offers, f)].map(([role, held]) => ({ role, resources: held })),
    ),
  );
  const byRole = new Map<string, Resource[]>();
  for (const r of reserved) byRole.set(r.reservation!.role, [...(byRole.get(r.reservation!.role) ?? []), r]);
  for (const [role, list] of byRole) {
    const room = ledger.limitRoom(role);
    for (const r of list) {
      const left = room.get(r.name);
      if ("scalar" in r && left !== undefined && r.scalar > left) {
        throw new MasterError(
          "QUOTA_EXCEEDED",
          `reserving ${r.scalar} ${r.name} for '${role}' exceeds its limit`,
          {
            field,
          },
        );
      }
    }
  }
}

async function record(ctx: MasterContext, agent: AgentEntry, dynamic: Resources): Promise<void> {
  if (dynamic.length === 0) ctx.state.reservations.delete(agent.id);
  else ctx.state.reservations.set(agent.id, dynamic);
  ctx.state.setAgentTotal(agent, withReservations(agent.info.resources, dynamic));
  ctx.requestAllocation();
  await persist(ctx, registryKeys.reservations(agent.id), { agentId: agent.id, resources: dynamic });
}

/**
 * The operator's `/reserve` and `/unreserve`: like Mesos, outstanding offers on the agent are
 * rescinded when they hold what the operation needs.
 */
export async function operatorReservation(
  ctx: MasterContext,
  kind: "reserve" | "unreserve",
  agentId: string,
  resources: readonly Resource[],
): Promise<void> {
  const agent = ctx.state.agents.get(agentId as AgentEntry["id"]);
  if (!agent) throw new MasterError("NOT_FOUND", `agent ${agentId} is not registered`, { field: "agentId" });
  const reserved = dynamicReservation(resources, "resources");
  const needed = kind === "reserve" ? flatten(reserved) : reserved;
  if (!contains(agent.resources.available, needed)) rescindAllOffers(ctx, agent.offers);
  if (kind === "reserve") await reserve(ctx, agent, reserved, { field: "resources", checkQuota: true });
  else await unreserve(ctx, agent, reserved, { field: "resources" });
}
