import { z } from "zod";
import { AgentId, FrameworkId, OfferId, RoleName } from "./ids.js";
import { Attribute, Resource } from "./resources/schema.js";
import { Labels } from "./task.js";

export const FrameworkInfo = z
  .object({
    /** Set on re-subscribe; on first subscribe the SDK proposes a fresh id (see docs/protocol.md). */
    id: FrameworkId.optional(),
    name: z.string().min(1).max(256),
    user: z.string().default("root"),
    roles: z.array(RoleName).min(1).default(["*"]),
    principal: z.string().min(1).optional(),
    /** Seconds the master keeps a disconnected framework's tasks running (Mesos default 0). */
    failoverTimeout: z.number().nonnegative().default(0),
    checkpoint: z.boolean().default(false),
    hostname: z.string().optional(),
    webuiUrl: z.string().optional(),
    labels: Labels.optional(),
    capabilities: z.array(z.string()).optional(),
  })
  .strict();
export type FrameworkInfo = z.infer<typeof FrameworkInfo>;
export type FrameworkInfoInput = z.input<typeof FrameworkInfo>;

const wholeNanoseconds = z.number().refine(Number.isInteger, "must be a whole number of nanoseconds");

/** A point in time as Mesos' TimeInfo: nanoseconds since the Unix epoch. */
export const TimeInfo = z.object({ nanoseconds: wholeNanoseconds }).strict();
export type TimeInfo = z.infer<typeof TimeInfo>;

/** A span of time as Mesos' DurationInfo. */
export const DurationInfo = z
  .object({ nanoseconds: wholeNanoseconds.refine((n) => n >= 0, "must not be negative") })
  .strict();
export type DurationInfo = z.infer<typeof DurationInfo>;

/** When a machine is scheduled for maintenance (Mesos' Unavailability); no duration means indefinitely. */
export const Unavailability = z.object({ start: TimeInfo, duration: DurationInfo.optional() }).strict();
export type Unavailability = z.infer<typeof Unavailability>;

export const Offer = z
  .object({
    id: OfferId,
    frameworkId: FrameworkId,
    agentId: AgentId,
    hostname: z.string(),
    /** The role this offer is allocated to (Mesos' allocation_info.role). */
    role: RoleName,
    resources: z.array(Resource),
    attributes: z.array(Attribute),
    /** Executors this agent can run (`shell`, `docker`), so frameworks can avoid unfit agents. */
    capabilities: z.array(z.string()).default([]),
    /** Set while the agent's machine is scheduled for maintenance (DRAINING), so frameworks can avoid it. */
    unavailability: Unavailability.optional(),
  })
  .strict();
export type Offer = z.infer<typeof Offer>;

export const Filters = z
  .object({
    /** Seconds before the declined resources are offered to this framework again (Mesos default 5). */
    refuseSeconds: z.number().optional(),
  })
  .strict();
export type Filters = z.infer<typeof Filters>;

export const MasterInfo = z
  .object({
    id: z.string(),
    hostname: z.string(),
    port: z.number().int(),
    version: z.string(),
  })
  .strict();
export type MasterInfo = z.infer<typeof MasterInfo>;
