import type { AgentId, CallOf } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { addDeclineFilter, takeOffer } from "../offers.js";
import type { FrameworkEntry } from "../registry/entries.js";

/**
 * Decline: the offers' resources go back to the pool, filtered from this framework on that agent
 * for `refuseSeconds` (default 5). Unknown or foreign offers are ignored, as in Mesos: a decline
 * racing a rescind is normal.
 */
export function decline(ctx: MasterContext, framework: FrameworkEntry, call: CallOf<"decline">): void {
  const agents = new Set<AgentId>();
  for (const id of call.offerIds) {
    const entry = ctx.state.offers.get(id);
    if (entry?.offer.frameworkId !== framework.id) {
      ctx.options.logger.debug(
        { frameworkId: framework.id, offerId: id },
        "decline of an offer that is not outstanding",
      );
      continue;
    }
    takeOffer(ctx, id);
    addDeclineFilter(ctx, framework, entry.offer.agentId, entry.offer.resources, call.filters?.refuseSeconds);
    agents.add(entry.offer.agentId);
  }
  ctx.requestAllocation(agents);
}

/**
 * Revive: offers resume for the named roles (all its roles when none are named) and every decline
 * filter of the framework is cleared (filters are per framework and agent, not per role).
 */
export function revive(ctx: MasterContext, framework: FrameworkEntry, call: CallOf<"revive">): void {
  for (const role of call.roles ?? framework.info.roles) framework.suppressedRoles.delete(role);
  ctx.state.filters.removeFramework(framework.id);
  ctx.requestAllocation();
}

/**
 * Suppress: no new offers for the named roles (all its roles when none are named) until revive;
 * outstanding offers and status updates are unaffected.
 */
export function suppress(framework: FrameworkEntry, call: CallOf<"suppress">): void {
  for (const role of call.roles ?? framework.info.roles) framework.suppressedRoles.add(role);
}
