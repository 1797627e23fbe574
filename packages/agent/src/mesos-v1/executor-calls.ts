import {
  type ExecutorId,
  type FrameworkId,
  firstIssue,
  type TaskId,
  TaskState,
  TaskStatusReason,
} from "@agora/protocol";
import { withoutNulls } from "@agora/protocol/mesos-v1";
import { z } from "zod";
import { MesosAgentApiError } from "./errors.js";

const MesosId = z.object({ value: z.string().min(1) });
const MesosLabels = z.object({
  labels: z.array(z.object({ key: z.string(), value: z.string().default("") })).default([]),
});

/** Mesos' `TaskStatus` as an executor sends it in UPDATE; unknown fields are ignored, as Mesos' JSON parser does. */
const MesosTaskStatus = z.object({
  task_id: MesosId,
  state: z.string(),
  source: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  executor_id: MesosId.optional(),
  uuid: z.string().optional(),
  healthy: z.boolean().optional(),
  labels: MesosLabels.optional(),
  data: z.string().optional(),
  timestamp: z.number().optional(),
});

/** Mesos' `executor::Call` JSON. */
export const MesosExecutorCall = z.object({
  type: z.enum(["UNKNOWN", "SUBSCRIBE", "UPDATE", "MESSAGE", "HEARTBEAT"]),
  framework_id: MesosId.optional(),
  executor_id: MesosId.optional(),
  subscribe: z
    .object({
      unacknowledged_tasks: z.array(z.unknown()).default([]),
      unacknowledged_updates: z.array(z.unknown()).default([]),
    })
    .optional(),
  update: z.object({ status: MesosTaskStatus }).optional(),
  message: z.object({ data: z.string() }).optional(),
});
export type MesosExecutorCall = z.infer<typeof MesosExecutorCall>;

/** A task status from an executor, as the agent records it (the agent adds ids, time and its own uuid). */
export interface ExecutorStatus {
  readonly taskId: TaskId;
  readonly state: TaskState;
  readonly reason?: TaskStatusReason;
  readonly message?: string;
  readonly healthy?: boolean;
  readonly labels?: Record<string, string>;
  /** The executor's uuid for this update (base64 of 16 bytes), echoed in its ACKNOWLEDGED event. */
  readonly uuid: string;
}

/** One executor call, validated as Mesos validates it (src/common/validation.cpp, `validateExecutorCall`). */
export type ExecutorCall = { frameworkId: FrameworkId; executorId: ExecutorId } & (
  | { type: "SUBSCRIBE" }
  | { type: "UPDATE"; status: ExecutorStatus }
  | { type: "MESSAGE"; data: string }
  | { type: "HEARTBEAT" }
  | { type: "UNKNOWN" }
);

const fail = (message: string, field?: string) =>
  new MesosAgentApiError(`Failed to validate Executor::Call: ${message}`, 400, field);

/**
 * Reads an executor call from its JSON. A body that is not an `executor::Call` is 400 "Failed to
 * convert JSON into Call protobuf"; one that breaks Mesos' rules is 400 "Failed to validate
 * Executor::Call", with Mesos' own messages.
 */
export function parseExecutorCall(json: unknown): ExecutorCall {
  // Mesos reads `null` as an unset field.
  const parsed = MesosExecutorCall.safeParse(withoutNulls(json));
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new MesosAgentApiError(
      `Failed to convert JSON into Call protobuf: ${field ? `${field}: ` : ""}${message}`,
      400,
      field,
    );
  }
  const call = parsed.data;
  if (!call.executor_id) throw fail("Expecting 'executor_id' to be present", "executor_id");
  if (!call.framework_id) throw fail("Expecting 'framework_id' to be present", "framework_id");
  const ids = {
    frameworkId: call.framework_id.value as FrameworkId,
    executorId: call.executor_id.value as ExecutorId,
  };
  switch (call.type) {
    case "SUBSCRIBE":
      if (!call.subscribe) throw fail("Expecting 'subscribe' to be present", "subscribe");
      return { ...ids, type: "SUBSCRIBE" };
    case "UPDATE":
      if (!call.update) throw fail("Expecting 'update' to be present", "update");
      return { ...ids, type: "UPDATE", status: readStatus(call, call.update.status) };
    case "MESSAGE":
      if (!call.message) throw fail("Expecting 'message' to be present", "message");
      return { ...ids, type: "MESSAGE", data: call.message.data };
    case "HEARTBEAT":
    case "UNKNOWN":
      return { ...ids, type: call.type };
  }
}

function readStatus(call: MesosExecutorCall, s: z.infer<typeof MesosTaskStatus>): ExecutorStatus {
  const executorId = call.executor_id!.value;
  const frameworkId = call.framework_id!.value;
  if (s.uuid === undefined) throw fail("Expecting 'uuid' to be present", "update.status.uuid");
  if (Buffer.from(s.uuid, "base64").length !== 16)
    throw fail("Invalid UUID: must be 16 bytes, base64-encoded", "update.status.uuid");
  if (s.executor_id !== undefined && s.executor_id.value !== executorId)
    throw fail(
      `ExecutorID in Call: ${executorId} does not match ExecutorID in TaskStatus: ${s.executor_id.value}`,
      "update.status.executor_id",
    );
  if (s.source !== "SOURCE_EXECUTOR")
    throw fail(
      `Received Call from executor ${executorId} of framework ${frameworkId} with invalid source, expecting 'SOURCE_EXECUTOR'`,
      "update.status.source",
    );
  const state = TaskState.safeParse(s.state);
  if (!state.success) throw fail(`unknown task state '${s.state}'`, "update.status.state");
  if (state.data === "TASK_STAGING")
    throw fail(
      `Received TASK_STAGING from executor ${executorId} of framework ${frameworkId} which is not allowed`,
      "update.status.state",
    );
  // A reason Agora does not know is left out rather than refused: it only explains the state.
  const reason = TaskStatusReason.safeParse(s.reason);
  return {
    taskId: s.task_id.value as TaskId,
    state: state.data,
    uuid: s.uuid,
    ...(reason.success ? { reason: reason.data } : {}),
    ...(s.message === undefined ? {} : { message: s.message }),
    ...(s.healthy === undefined ? {} : { healthy: s.healthy }),
    ...(s.labels ? { labels: Object.fromEntries(s.labels.labels.map((l) => [l.key, l.value])) } : {}),
  };
}
