import { AgentId, decode, FrameworkId, TaskId } from "@agora/protocol";
import { z } from "zod";
import { MarathonError } from "../errors.js";
import { DeploymentPlan } from "../model/deployment.js";
import { Instance } from "../model/instance.js";
import { AppId } from "../model/path-id.js";

/**
 * The schemas Marathon's stored state is read back through, record by record: a record written by
 * an older version or by hand that does not match fails loudly, naming its key, instead of flowing
 * on as `any`. Writes are typed by the same schemas' outputs.
 */

/** A deployment as stored: its plan and the index of the step it is running (0-based). */
export const StoredDeployment = z
  .object({ plan: DeploymentPlan, stepIndex: z.number().int().min(0) })
  .strict();
export type StoredDeployment = z.output<typeof StoredDeployment>;

/** An app's last task failure (`lastTaskFailure` in `/v2/apps`), in Marathon's JSON. */
export const TaskFailure = z
  .object({
    appId: AppId,
    host: z.string(),
    message: z.string(),
    state: z.string(),
    taskId: TaskId,
    timestamp: z.string(),
    version: z.string(),
    slaveId: AgentId,
  })
  .strict();
export type TaskFailure = z.output<typeof TaskFailure>;

export const StoredInstance = Instance;
export const FrameworkIdRecord = FrameworkId;

/** A stored record through its schema; a record that does not match stops Marathon, naming the key. */
export function readRecord<S extends z.ZodType>(schema: S, key: string, bytes: Uint8Array): z.output<S> {
  const decoded = decode(schema, bytes);
  if (decoded.ok) return decoded.value;
  throw new MarathonError(
    "STORED_STATE_INVALID",
    `the stored record ${key} does not match its schema: ${decoded.error.message}`,
    { cause: decoded.error },
  );
}
