import type { Group } from "./group.js";

/**
 * What a deployment does to one app; Marathon's action names, as `/v2/deployments` shows them.
 * Start creates the app with no instances, a Scale step that follows brings it to its count.
 */
export type DeploymentAction =
  | { action: "StartApplication"; app: string }
  | { action: "ScaleApplication"; app: string; scaleTo: number; sentencedToDeath?: string[] }
  | { action: "RestartApplication"; app: string }
  | { action: "StopApplication"; app: string };

/** Actions in one step run together; steps run in order. */
export interface DeploymentStep {
  actions: DeploymentAction[];
}

/** From one root group to another. `version` is the target root's version. */
export interface DeploymentPlan {
  id: string;
  version: string;
  original: Group;
  target: Group;
  steps: DeploymentStep[];
}

/** Apps a plan touches (Marathon's `affectedApps`). */
export function affectedApps(plan: DeploymentPlan): string[] {
  return [...new Set(plan.steps.flatMap((s) => s.actions.map((a) => a.app)))].sort();
}
