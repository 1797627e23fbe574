import { AgentId, TaskId, TaskState } from "@agora/protocol";
import { z } from "zod";
import { AppId, segmentsOf } from "./path-id.js";

/**
 * One task Marathon launched for an app, as it keeps it in its store. Marathon 1.x calls it an
 * instance; its REST API still calls it a task. `version` is the app version it was launched from,
 * which is how a restart tells old instances from new ones.
 */
export const Instance = z.object({
  taskId: TaskId,
  appId: AppId,
  agentId: AgentId,
  host: z.string(),
  /** The agent's attributes (text values), kept so constraints can be checked against placed instances. */
  agentAttributes: z.record(z.string(), z.string()).default({}),
  ports: z.array(z.number().int()),
  version: z.string(),
  state: TaskState,
  /** The agent-side health checks' verdict; undefined until the first result (or without checks). */
  healthy: z.boolean().optional(),
  stagedAt: z.string(),
  startedAt: z.string().optional(),
  role: z.string(),
  /** Set when Marathon itself asked for the kill, so the end is not counted as a failure. */
  killRequested: z.boolean().default(false),
  message: z.string().optional(),
});
export type Instance = z.output<typeof Instance>;

/** Marathon's task id form: the app id's segments joined by `_`, a dot, a uuid (`prod_web.<uuid>`). */
export function taskIdFor(appId: AppId, uuid: string): TaskId {
  // Minting: an app id's segments and a uuid always make a valid task id (AppId bounds its length).
  return `${segmentsOf(appId).join("_")}.${uuid}` as TaskId;
}

/** Inverse of `taskIdFor`, for ids Marathon minted: `prod_web.<uuid>` → `/prod/web`. */
export function appIdOfTask(taskId: string): string | undefined {
  const dot = taskId.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return `/${taskId.slice(0, dot).split("_").join("/")}`;
}
