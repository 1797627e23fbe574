import { z } from "zod";
import { Filters, FrameworkInfo } from "./framework.js";
import { AgentId, ExecutorId, FrameworkId, OfferId, RoleName, TaskId, UpdateUuid } from "./ids.js";
import { Resource } from "./resources/schema.js";
import { KillPolicy, TaskInfo } from "./task.js";

/** Operations inside an accept, run in order (Mesos' Offer.Operation). */
export const Operation = z.discriminatedUnion("type", [
  z.object({ type: z.literal("launch"), tasks: z.array(TaskInfo).min(1) }).strict(),
  z
    .object({
      type: z.literal("launchGroup"),
      executorId: ExecutorId,
      tasks: z.array(TaskInfo).min(1),
    })
    .strict(),
  z.object({ type: z.literal("reserve"), resources: z.array(Resource).min(1) }).strict(),
  z.object({ type: z.literal("unreserve"), resources: z.array(Resource).min(1) }).strict(),
]);
export type Operation = z.infer<typeof Operation>;
export type OperationInput = z.input<typeof Operation>;

const fw = { frameworkId: FrameworkId };

/**
 * Framework → master calls, sent as requests to `agora.<cluster>.master.call`.
 * Every call but the first subscribe names its framework.
 */
export const Call = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("subscribe"),
      frameworkInfo: FrameworkInfo,
      /**
       * The secret of `frameworkInfo.principal`, checked when the master authenticates frameworks
       * (Mesos' `--authenticate_frameworks` with `--credentials`). Never stored or sent on.
       */
      secret: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z.object({ type: z.literal("teardown"), ...fw }).strict(),
  z
    .object({
      type: z.literal("accept"),
      ...fw,
      offerIds: z.array(OfferId).min(1),
      operations: z.array(Operation),
      filters: Filters.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("decline"),
      ...fw,
      offerIds: z.array(OfferId).min(1),
      filters: Filters.optional(),
    })
    .strict(),
  z.object({ type: z.literal("revive"), ...fw, roles: z.array(RoleName).optional() }).strict(),
  z.object({ type: z.literal("suppress"), ...fw, roles: z.array(RoleName).optional() }).strict(),
  z
    .object({
      type: z.literal("kill"),
      ...fw,
      taskId: TaskId,
      agentId: AgentId.optional(),
      killPolicy: KillPolicy.optional(),
    })
    .strict(),
  z
    .object({ type: z.literal("acknowledge"), ...fw, agentId: AgentId, taskId: TaskId, uuid: UpdateUuid })
    .strict(),
  /**
   * Several acknowledgements in one message: the SDK sends those of one turn together, as the master
   * batches `statusAcknowledgement` per agent. Each is handled as its own `acknowledge`.
   */
  z
    .object({
      type: z.literal("acknowledgeBatch"),
      ...fw,
      acks: z.array(z.object({ agentId: AgentId, taskId: TaskId, uuid: UpdateUuid }).strict()).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal("reconcile"),
      ...fw,
      tasks: z.array(z.object({ taskId: TaskId, agentId: AgentId.optional() }).strict()),
    })
    .strict(),
  z
    .object({
      type: z.literal("message"),
      ...fw,
      agentId: AgentId,
      executorId: ExecutorId.optional(),
      data: z.string(),
    })
    .strict(),
  z.object({ type: z.literal("heartbeat"), ...fw }).strict(),
]);
export type Call = z.infer<typeof Call>;
export type CallInput = z.input<typeof Call>;
export type CallType = Call["type"];
export type CallOf<T extends CallType> = Extract<Call, { type: T }>;

/** The master's answer to every call. Errors carry a stable code and, where known, the field. */
export const CallReply = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), epoch: z.number().int().nonnegative() }).strict(),
  z
    .object({
      ok: z.literal(false),
      epoch: z.number().int().nonnegative(),
      error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }).strict(),
    })
    .strict(),
]);
export type CallReply = z.infer<typeof CallReply>;
