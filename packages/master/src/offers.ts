import {
  type AgentId,
  type FrameworkId,
  newId,
  type Offer,
  type OfferId,
  type Resource,
} from "@agora/protocol";
import { refuseDurationMs } from "./allocator/decline-filter.js";
import type { OfferPlan } from "./allocator/drf-allocator.js";
import type { MasterContext } from "./context.js";
import { hostUnavailability } from "./maintenance/schedule.js";
import type { FrameworkEntry, OfferEntry } from "./registry/entries.js";

/** Turns allocation plans into offers: books them and sends one `offers` event per framework. */
export function makeOffers(ctx: MasterContext, plans: readonly OfferPlan[]): void {
  const byFramework = new Map<FrameworkId, Offer[]>();
  const now = ctx.now();
  const maintenance = ctx.state.maintenance;
  // No window scheduled and no machine down (the usual case): no offer carries an unavailability.
  const scheduled = maintenance.windows.length > 0 || maintenance.down.length > 0;
  for (const plan of plans) {
    const agent = ctx.state.agents.get(plan.agentId);
    if (!agent) continue;
    const offer: Offer = {
      id: newId<OfferId>(),
      frameworkId: plan.frameworkId,
      agentId: plan.agentId,
      hostname: agent.info.hostname,
      role: plan.role,
      resources: plan.resources,
      attributes: agent.info.attributes,
      capabilities: agent.info.capabilities,
    };
    const unavailability = scheduled ? hostUnavailability(maintenance, agent.info.hostname) : undefined;
    if (unavailability) offer.unavailability = unavailability;
    const entry = ctx.state.addOffer(offer, now);
    const timeout = ctx.options.offerTimeoutMs;
    if (timeout !== undefined) {
      entry.timer = ctx.options.clock.setTimeout(() => rescindOffer(ctx, offer.id), timeout);
    }
    let list = byFramework.get(plan.frameworkId);
    if (!list) {
      list = [];
      byFramework.set(plan.frameworkId, list);
    }
    list.push(offer);
  }
  for (const [frameworkId, offers] of byFramework)
    ctx.out.toFramework(frameworkId, { type: "offers", offers });
}

/**
 * Withdraws an outstanding offer (timeout, re-subscribe, agent removal, teardown): its resources go
 * back to the pool, the framework gets a `rescind` event, and allocation runs soon.
 */
export function rescindOffer(ctx: MasterContext, offerId: OfferId): void {
  const entry = takeOffer(ctx, offerId);
  if (!entry) return;
  if (ctx.state.frameworks.get(entry.offer.frameworkId)?.connected) {
    ctx.out.toFramework(entry.offer.frameworkId, { type: "rescind", offerId });
  }
  ctx.requestAllocation([entry.offer.agentId]);
}

/** Removes an offer the framework used or declined: no event, resources back in the pool. */
export function takeOffer(ctx: MasterContext, offerId: OfferId): OfferEntry | undefined {
  const entry = ctx.state.removeOffer(offerId);
  if (entry?.timer) ctx.options.clock.clear(entry.timer);
  return entry;
}

export function rescindAllOffers(ctx: MasterContext, offerIds: Iterable<OfferId>): void {
  for (const id of [...offerIds]) rescindOffer(ctx, id);
}

/** Installs a decline filter for `refused` on one agent, per the call's `refuseSeconds`. */
export function addDeclineFilter(
  ctx: MasterContext,
  framework: FrameworkEntry,
  agentId: AgentId,
  refused: readonly Resource[],
  refuseSeconds: number | undefined,
): void {
  const duration = refuseDurationMs(refuseSeconds, ctx.options.allocationIntervalMs);
  if (duration === 0 || refused.length === 0) return;
  ctx.state.filters.add(framework.id, agentId, { expiresAt: ctx.now() + duration, refused: [...refused] });
  ctx.metrics.offerFiltered();
}
