import { sameConfig } from "../model/app-config.js";
import type { AppDefinition } from "../model/app-definition.js";

/**
 * How an app changed between two root groups, as Marathon's planner sees it: a change of only
 * `instances` is a scaling; a change of any other field, or of `versionInfo.lastConfigChangeAt`
 * (how `/v2/apps/{id}/restart` asks for a restart of an unchanged config), is an upgrade. `version`
 * and `versionInfo.lastScalingAt` are stamps of the change, not part of it.
 */
export type AppChange = "none" | "scale" | "upgrade";

export function appChange(from: AppDefinition, to: AppDefinition): AppChange {
  if (!sameConfig(from, to)) return "upgrade";
  const was = from.versionInfo?.lastConfigChangeAt;
  const is = to.versionInfo?.lastConfigChangeAt;
  // An app stored before it had versionInfo has no config stamp to compare: only its fields count.
  if (was !== undefined && is !== undefined && was !== is) return "upgrade";
  return from.instances === to.instances ? "none" : "scale";
}
