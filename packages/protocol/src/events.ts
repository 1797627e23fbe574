import { z } from "zod";
import { MasterInfo, Offer } from "./framework.js";
import { AgentId, ExecutorId, FrameworkId, OfferId } from "./ids.js";
import { TaskStatus } from "./task.js";

const epoch = { epoch: z.number().int().nonnegative() };

/**
 * Master → framework events, published to `agora.<cluster>.framework.<id>.events`.
 * Each carries the sending master's epoch; receivers drop events from an older epoch.
 */
export const Event = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("subscribed"),
      ...epoch,
      frameworkId: FrameworkId,
      heartbeatIntervalSeconds: z.number().positive(),
      masterInfo: MasterInfo,
    })
    .strict(),
  z.object({ type: z.literal("offers"), ...epoch, offers: z.array(Offer) }).strict(),
  z.object({ type: z.literal("rescind"), ...epoch, offerId: OfferId }).strict(),
  z.object({ type: z.literal("update"), ...epoch, status: TaskStatus }).strict(),
  /**
   * Several updates of one master turn, in order; sent only to a framework that declared
   * `UPDATE_BATCHES` (an older one keeps getting one `update` each).
   */
  z.object({ type: z.literal("updates"), ...epoch, statuses: z.array(TaskStatus).min(1) }).strict(),
  z
    .object({
      type: z.literal("message"),
      ...epoch,
      agentId: AgentId,
      executorId: ExecutorId.optional(),
      data: z.string(),
    })
    .strict(),
  z
    .object({
      type: z.literal("failure"),
      ...epoch,
      agentId: AgentId.optional(),
      executorId: ExecutorId.optional(),
      status: z.number().int().optional(),
    })
    .strict(),
  z.object({ type: z.literal("error"), ...epoch, message: z.string() }).strict(),
  z.object({ type: z.literal("heartbeat"), ...epoch }).strict(),
]);
export type Event = z.infer<typeof Event>;
export type EventType = Event["type"];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;

/** The capability (in `FrameworkInfo.capabilities`) of a framework that understands the `updates` event. */
export const UPDATE_BATCHES = "UPDATE_BATCHES";
