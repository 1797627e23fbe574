import { decode } from "@agora/protocol";
import { z } from "zod";
import { MarathonError } from "../errors.js";
import { StoredApp } from "../model/app-definition.js";
import type { DeploymentPlan } from "../model/deployment.js";
import type { Group } from "../model/group.js";
import { Instance } from "../model/instance.js";

/**
 * The schemas Marathon's stored state is read back through, record by record: a record written by
 * an older version or by hand that does not match fails loudly, naming its key, instead of flowing
 * on as `any`. Writes are typed by the same schemas' outputs.
 */

export const StoredGroup: z.ZodType<Group> = z.lazy(() =>
  z
    .object({
      id: z.string().min(1),
      apps: z.array(StoredApp),
      groups: z.array(StoredGroup),
      dependencies: z.array(z.string()),
      version: z.string(),
    })
    .strict(),
);

const DeploymentAction = z.discriminatedUnion("action", [
  z.object({ action: z.literal("StartApplication"), app: z.string() }).strict(),
  z
    .object({
      action: z.literal("ScaleApplication"),
      app: z.string(),
      scaleTo: z.number().int().min(0),
      sentencedToDeath: z.array(z.string()).optional(),
    })
    .strict(),
  z.object({ action: z.literal("RestartApplication"), app: z.string() }).strict(),
  z.object({ action: z.literal("StopApplication"), app: z.string() }).strict(),
]);

export const StoredPlan = z
  .object({
    id: z.string().min(1),
    version: z.string(),
    original: StoredGroup,
    target: StoredGroup,
    steps: z.array(z.object({ actions: z.array(DeploymentAction) }).strict()),
  })
  .strict() satisfies z.ZodType<DeploymentPlan>;

/** A deployment as stored: its plan and the index of the step it is running (0-based). */
export const StoredDeployment = z.object({ plan: StoredPlan, stepIndex: z.number().int().min(0) }).strict();
export type StoredDeployment = z.output<typeof StoredDeployment>;

/** An app's last task failure (`lastTaskFailure` in `/v2/apps`), in Marathon's JSON. */
export const TaskFailure = z
  .object({
    appId: z.string().min(1),
    host: z.string(),
    message: z.string(),
    state: z.string(),
    taskId: z.string(),
    timestamp: z.string(),
    version: z.string(),
    slaveId: z.string(),
  })
  .strict();
export type TaskFailure = z.output<typeof TaskFailure>;

export const StoredInstance = Instance;
export const FrameworkIdRecord = z.string().min(1);

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
