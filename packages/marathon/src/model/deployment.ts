import { TaskId } from "@agora/protocol";
import { z } from "zod";
import { StoredGroup } from "./group.js";
import { AppId } from "./path-id.js";

/** A deployment's id (a uuid Marathon mints), branded so it is never taken for an app or task id. */
export const DeploymentId = z.string().min(1).brand<"DeploymentId">();
export type DeploymentId = z.output<typeof DeploymentId>;

/**
 * What a deployment does to one app; Marathon's action names, as `/v2/deployments` shows them.
 * Start creates the app with no instances, a Scale step that follows brings it to its count.
 */
export const DeploymentAction = z.discriminatedUnion("action", [
  z.object({ action: z.literal("StartApplication"), app: AppId }).strict(),
  z
    .object({
      action: z.literal("ScaleApplication"),
      app: AppId,
      scaleTo: z.number().int().min(0),
      /** The instances a scale-down kills, chosen by the planner. */
      sentencedToDeath: z.array(TaskId).optional(),
    })
    .strict(),
  z.object({ action: z.literal("RestartApplication"), app: AppId }).strict(),
  z.object({ action: z.literal("StopApplication"), app: AppId }).strict(),
]);
export type DeploymentAction = z.output<typeof DeploymentAction>;

/** Actions in one step run together; steps run in order. */
export const DeploymentStep = z.object({ actions: z.array(DeploymentAction) }).strict();
export type DeploymentStep = z.output<typeof DeploymentStep>;

/** From one root group to another. `version` is the target root's version. */
export const DeploymentPlan = z
  .object({
    id: DeploymentId,
    version: z.string(),
    original: StoredGroup,
    target: StoredGroup,
    steps: z.array(DeploymentStep),
  })
  .strict();
export type DeploymentPlan = z.output<typeof DeploymentPlan>;

/** Apps a plan touches (Marathon's `affectedApps`). */
export function affectedApps(plan: DeploymentPlan): AppId[] {
  return [...new Set(plan.steps.flatMap((s) => s.actions.map((a) => a.app)))].sort();
}
