import { AppDefinition, type AppDefinitionInput } from "../model/app-definition.js";
import type { Group } from "../model/group.js";
import { parentOf, ROOT } from "../model/path-id.js";

/** A validated app with Marathon's defaults; `cmd` defaults to a sleeper. */
export function app(id: string, fields: Partial<AppDefinitionInput> = {}): AppDefinition {
  return AppDefinition.parse({ id, cmd: "sleep 1000", version: "2026-01-01T00:00:00.000Z", ...fields });
}

/**
 * A root group holding `apps`, with every group their ids imply; `dependencies` sets a group's
 * dependencies by group id.
 */
export function rootWith(
  apps: AppDefinition[],
  opts: { version?: string; dependencies?: Record<string, string[]> } = {},
): Group {
  const version = opts.version ?? "2026-01-01T00:00:00.000Z";
  const groups = new Map<string, Group>();
  const groupFor = (id: string): Group => {
    const known = groups.get(id);
    if (known !== undefined) return known;
    const g: Group = { id, apps: [], groups: [], dependencies: opts.dependencies?.[id] ?? [], version };
    groups.set(id, g);
    if (id !== ROOT) groupFor(parentOf(id)).groups.push(g);
    return g;
  };
  groupFor(ROOT);
  for (const id of Object.keys(opts.dependencies ?? {})) groupFor(id);
  for (const a of apps) groupFor(parentOf(a.id)).apps.push(a);
  return groupFor(ROOT);
}
