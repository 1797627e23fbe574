import type { TaskId } from "@agora/protocol";
import type { DeploymentAction, DeploymentId, DeploymentPlan, DeploymentStep } from "../model/deployment.js";
import { appsOf, type Group } from "../model/group.js";
import type { AppId } from "../model/path-id.js";
import { appChange } from "./app-diff.js";
import { dependencyLevels } from "./dependency-order.js";

/**
 * Plans the way from `original` to `target` as Marathon does: one step stopping the apps `target`
 * no longer has, one step starting the new ones (with no instances), then one step per dependency
 * level of `target` (an app's level is the longest chain of apps it waits for) scaling new apps and
 * apps whose only change is `instances`, and restarting apps whose config changed. Unchanged apps get
 * no action, so a plan may have no steps. Unknown dependencies and cycles throw `MarathonError`
 * `INVALID_DEFINITION`. Actions in a step are ordered by app id. `sentenced` names, per app, the
 * tasks a scale-down must kill (`DELETE /v2/apps/{id}/tasks?scale=true`) instead of the ones the kill
 * selection would pick.
 *
 * @example
 * ```ts
 * const plan = planDeployment(service.root(), target, { id: randomUUID() });
 * for (const step of plan.steps) console.log(step.actions.map((a) => `${a.action} ${a.app}`));
 * ```
 */
export function planDeployment(
  original: Group,
  target: Group,
  opts: { id: DeploymentId; sentenced?: ReadonlyMap<AppId, TaskId[]> },
): DeploymentPlan {
  const before = appsOf(original);
  const after = appsOf(target);
  const levels = dependencyLevels(target);
  const steps: DeploymentStep[] = [];

  const stop = [...before.keys()].filter((id) => !after.has(id)).sort();
  if (stop.length > 0) steps.push({ actions: stop.map((app) => ({ action: "StopApplication", app })) });
  const start = [...after.keys()].filter((id) => !before.has(id)).sort();
  if (start.length > 0) steps.push({ actions: start.map((app) => ({ action: "StartApplication", app })) });

  const byLevel = new Map<number, DeploymentAction[]>();
  for (const id of [...after.keys()].sort()) {
    const app = after.get(id)!;
    const old = before.get(id);
    const change = old === undefined ? "scale" : appChange(old, app);
    if (change === "none") continue;
    const sentenced = opts.sentenced?.get(id);
    const action: DeploymentAction =
      change === "scale"
        ? {
            action: "ScaleApplication",
            app: id,
            scaleTo: app.instances,
            ...(sentenced ? { sentencedToDeath: sentenced } : {}),
          }
        : { action: "RestartApplication", app: id };
    const level = levels.get(id) ?? 0;
    byLevel.set(level, [...(byLevel.get(level) ?? []), action]);
  }
  for (const level of [...byLevel.keys()].sort((a, b) => a - b)) steps.push({ actions: byLevel.get(level)! });

  return { id: opts.id, version: target.version, original, target, steps };
}
