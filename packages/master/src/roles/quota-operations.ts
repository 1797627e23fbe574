import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { persist, unpersistNow } from "../persistence.js";
import { registryKeys } from "../registry/records.js";
import type { QuotaInfo } from "./quota.js";

/** Every quota, sorted by role. */
export function listQuotas(ctx: MasterContext): QuotaInfo[] {
  return [...ctx.state.quotas.values()].sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

/** Sets (or replaces) a role's quota, persisted before it applies; allocation runs soon after. */
export async function setQuota(ctx: MasterContext, quota: QuotaInfo): Promise<void> {
  await persist(ctx, registryKeys.quota(quota.role), quota);
  ctx.state.quotas.set(quota.role, quota);
  ctx.requestAllocation();
}

/** Removes a role's quota; the record is deleted before the quota stops applying. */
export async function removeQuota(ctx: MasterContext, role: string): Promise<void> {
  if (!ctx.state.quotas.has(role)) throw new MasterError("NOT_FOUND", `role '${role}' has no quota`);
  await unpersistNow(ctx, registryKeys.quota(role), `the quota of '${role}'`);
  ctx.state.quotas.delete(role);
  ctx.requestAllocation();
}
