import type { OfferId, Resource } from "@agora/protocol";
import type { FrameworkEntry, OfferEntry } from "./entries.js";

/**
 * What a framework holds, per role. The sorters sum scalars, so plain concatenations suffice. A
 * single-role framework holds everything for that role; a multi-role one is split by the role of
 * each offer (looked up in `offers`) and task.
 */
export function holdingsByRole(
  offers: ReadonlyMap<OfferId, OfferEntry>,
  f: FrameworkEntry,
): Map<string, Resource[]> {
  if (f.info.roles.length <= 1) return new Map([[f.role, [...f.resources.offered, ...f.resources.used]]]);
  const byRole = new Map<string, Resource[]>();
  const hold = (role: string, resources: readonly Resource[]) => {
    const list = byRole.get(role);
    if (list) list.push(...resources);
    else byRole.set(role, [...resources]);
  };
  for (const id of f.offers) {
    const offer = offers.get(id)?.offer;
    if (offer) hold(offer.role, offer.resources);
  }
  for (const t of f.tasks.values()) if (t.holdsResources) hold(t.role, t.task.resources);
  return byRole;
}
