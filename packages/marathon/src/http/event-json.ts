import type { MarathonEvent } from "../events.js";
import { appJson } from "../model/app-json.js";
import type { DeploymentPlan } from "../model/deployment.js";
import type { Group } from "../model/group.js";

type Json = Record<string, unknown>;

/**
 * An event as `/v2/events` sends it: apps inside it (`api_post_event`'s `appDefinition`, the
 * original and target groups of a deployment's `plan`) in Marathon's wire form, as `/v2/apps` shows
 * them, so clients that parse one parse the other. The one place events leave in Marathon's JSON.
 */
export function eventJson(event: MarathonEvent): Json {
  const out: Json = { ...event };
  if ("appDefinition" in event) out.appDefinition = appJson(event.appDefinition);
  if ("plan" in event) out.plan = planJson(event.plan);
  return out;
}

function planJson(plan: DeploymentPlan): Json {
  return { ...plan, original: groupJson(plan.original), target: groupJson(plan.target) };
}

function groupJson(group: Group): Json {
  return { ...group, apps: group.apps.map(appJson), groups: group.groups.map(groupJson) };
}
