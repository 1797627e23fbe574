import { z } from "zod";
import type { AppDefinition } from "./app-definition.js";
import { isWithin, ROOT } from "./path-id.js";

/**
 * A group as Marathon stores it: apps and subgroups by absolute id, dependencies that apply to every
 * app inside. The root group (`/`) holds the whole state a deployment plans between.
 */
export interface Group {
  id: string;
  apps: AppDefinition[];
  groups: Group[];
  dependencies: string[];
  version: string;
}

/** Group JSON as `/v2/groups` takes it; ids inside may be relative to their group (resolved later). */
export const GroupDefinition: z.ZodType<GroupDefinitionInput> = z.lazy(() =>
  z.object({
    id: z.string().optional(),
    apps: z.array(z.record(z.string(), z.unknown())).default([]),
    groups: z.array(GroupDefinition).default([]),
    dependencies: z.array(z.string()).default([]),
    version: z.string().optional(),
    scaleBy: z.number().positive().optional(),
  }),
);
export interface GroupDefinitionInput {
  id?: string | undefined;
  apps: Record<string, unknown>[];
  groups: GroupDefinitionInput[];
  dependencies: string[];
  version?: string | undefined;
  scaleBy?: number | undefined;
}

export function emptyRoot(version: string): Group {
  return { id: ROOT, apps: [], groups: [], dependencies: [], version };
}

/** Every app in `group` and below, by id. */
export function appsOf(group: Group): Map<string, AppDefinition> {
  const out = new Map<string, AppDefinition>();
  const walk = (g: Group): void => {
    for (const app of g.apps) out.set(app.id, app);
    for (const child of g.groups) walk(child);
  };
  walk(group);
  return out;
}

export function findGroup(root: Group, id: string): Group | undefined {
  if (root.id === id) return root;
  for (const child of root.groups) if (isWithin(id, child.id)) return findGroup(child, id);
  return undefined;
}
