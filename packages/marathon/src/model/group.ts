import { z } from "zod";
import { type AppDefinition, StoredApp } from "./app-definition.js";
import { type AppId, isWithin, ROOT } from "./path-id.js";

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

/**
 * A group as stored and planned between. Typed by `Group` rather than inferred: a recursive
 * schema needs its type spelled out, and this one checks the schema's output against it.
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
export function appsOf(group: Group): Map<AppId, AppDefinition> {
  const out = new Map<AppId, AppDefinition>();
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
