import { deepestUnionIssue, normalize, ResourceName, RoleName, ScalarResource } from "@agora/protocol";
import { z } from "zod";
import type { RoleQuota } from "../allocator/quota.js";

/**
 * Quotas as data: the schema a quota is read, stored and served through, and the allocator's view of
 * it. No I/O; the operations that change quotas are in quota-operations.ts.
 */

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
const QuotaQuantity = z.union([ScalarResource.omit({ reservation: true }), MesosScalar], {
  error: deepestUnionIssue,
});

/**
 * The largest quota quantity taken: scalars are rounded to thousandths (`normalize`), and past
 * MAX_SAFE_INTEGER / 1000 that rounding is no longer exact; far beyond it (1e308) it gives Infinity,
 * which JSON stores as null and the record would not read back. No machine has 9 × 10^12 cpus or MB.
 */
export const MAX_QUOTA_SCALAR = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** One role's quota as stored and served: guarantee and limit, unreserved scalars. */
export const QuotaInfo = z
  .object({
    role: RoleName.refine((r) => r !== "*", "quota cannot be set on the default role '*'"),
    guarantee: z.array(QuotaQuantity).default([]),
    limit: z.array(QuotaQuantity).default([]),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (const field of ["guarantee", "limit"] as const) {
      q[field].forEach((r, i) => {
        if (r.scalar > MAX_QUOTA_SCALAR) {
          ctx.addIssue({
            code: "custom",
            path: [field, i, "scalar"],
            message: `${r.name} quota ${r.scalar} is over the largest quantity taken, ${MAX_QUOTA_SCALAR}`,
          });
        }
      });
    }
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
