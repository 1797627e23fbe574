import { normalize, ResourceName, RoleName, ScalarResource } from "@agora/protocol";
import { z } from "zod";
import type { RoleQuota } from "../allocator/quota.js";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { persist, registryKeys } from "../persistence.js";

/** Mesos' JSON form of a scalar: `{"name":"cpus","type":"SCALAR","scalar":{"value":2}}`. */
const MesosScalar = z
  .object({
    name: ResourceName,
    type: z.literal("SCALAR").optional(),
    scalar: z.object({ value: z.number().finite().nonnegative() }).strict(),
    role: z.string().optional(),
  })
  .strict()
  .transform((r) => ({ name: r.name, scalar: r.scalar.value }));

/** A quota quantity: our scalar resource (unreserved) or Mesos' form of it. */
const QuotaQuantity = z.union([ScalarResource.omit({ reservation: true }), MesosScalar]);

/** One role's quota as stored and served: guarantee and limit, unreserved scalars. */
export const QuotaInfo = z
  .object({
    role: RoleName.refine((r) => r !== "*", "quota cannot be set on the default role '*'"),
    guarantee: z.array(QuotaQuantity).default([]),
    limit: z.array(QuotaQuantity).default([]),
  })
  .strict()
  .superRefine((q, ctx) => {
    const limit = new Map(q.limit.map((l) => [l.name, l.scalar]));
    q.guarantee.forEach((g, i) => {
      const cap = limit.get(g.name);
      if (cap !== undefined && g.scalar > cap) {
        ctx.addIssue({
          code: "custom",
          path: ["guarantee", i, "scalar"],
          message: `guarantee of ${g.name} exceeds its limit ${cap}`,
        });
      }
    });
  })
  .transform((q) => ({ role: q.role, guarantee: normalize(q.guarantee), limit: normalize(q.limit) }));
export type QuotaInfo = z.output<typeof QuotaInfo>;

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
  try {
    await ctx.store.delete(registryKeys.quota(role));
  } catch (cause) {
    throw new MasterError("STORE_FAILED", `could not delete the quota of '${role}'`, { cause });
  }
  ctx.state.quotas.delete(role);
  ctx.requestAllocation();
}

/** The allocator's view of the quotas: quantities by name. */
export function allocatorQuotas(quotas: ReadonlyMap<string, QuotaInfo>): Map<string, RoleQuota> {
  const out = new Map<string, RoleQuota>();
  for (const [role, q] of quotas) {
    out.set(role, {
      guarantee: new Map(q.guarantee.flatMap((r) => ("scalar" in r ? [[r.name, r.scalar] as const] : []))),
      limit: new Map(q.limit.flatMap((r) => ("scalar" in r ? [[r.name, r.scalar] as const] : []))),
    });
  }
  return out;
}
