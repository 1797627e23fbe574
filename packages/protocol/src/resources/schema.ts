import { z } from "zod";
import { RoleName } from "../ids.js";

/** Mesos rounds scalar resources to three decimals; so do we, everywhere a scalar is computed. */
export const SCALAR_PRECISION = 1000;

export const ResourceName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be a resource name like cpus, mem, ports");

export const Reservation = z
  .object({
    role: RoleName,
    type: z.enum(["static", "dynamic"]),
    principal: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type Reservation = z.infer<typeof Reservation>;

export const Range = z
  .object({ begin: z.number().int().nonnegative(), end: z.number().int().nonnegative() })
  .strict()
  .refine((r) => r.begin <= r.end, { message: "begin must not exceed end" });
export type Range = z.infer<typeof Range>;

const common = { name: ResourceName, reservation: Reservation.optional() };

export const ScalarResource = z.object({ ...common, scalar: z.number().finite().nonnegative() }).strict();
export const RangesResource = z.object({ ...common, ranges: z.array(Range) }).strict();
export const SetResource = z.object({ ...common, set: z.array(z.string().min(1)) }).strict();

/** One typed entry, modelled on Mesos' `Resource`: exactly one of `scalar`, `ranges`, `set`. */
export const Resource = z.union([ScalarResource, RangesResource, SetResource]);
export type Resource = z.infer<typeof Resource>;
export type ScalarResource = z.infer<typeof ScalarResource>;
export type RangesResource = z.infer<typeof RangesResource>;
export type SetResource = z.infer<typeof SetResource>;

export const Resources = z.array(Resource);
export type Resources = Resource[];

/** Agent attributes (`rack:r1;zone:a`): text, scalar, ranges or set values, used by constraints. */
export const Attribute = z.union([
  z.object({ name: ResourceName, text: z.string() }).strict(),
  z.object({ name: ResourceName, scalar: z.number().finite() }).strict(),
  z.object({ name: ResourceName, ranges: z.array(Range) }).strict(),
  z.object({ name: ResourceName, set: z.array(z.string()) }).strict(),
]);
export type Attribute = z.infer<typeof Attribute>;
