import { z } from "zod";
import { type AppDefinition, StoredApp } from "./app-definition.js";
import { type AppId, isWithin, ROOT } from "./path-id.js";

/**
 * A group as Marathon stores it: apps and subgroups by absolute id, dependencies that apply to every
 * app inside. The root group (`/`) holds the whole state a deployment plans between. Stored groups
 * are read back through this schema (strict: a record with fields it does not know fails).
 */
export const StoredGroup = z
  .object({
    id: z.string().min(1),
    apps: z.array(StoredApp),
    get groups() {
      return z.array(StoredGroup);
    },
    dependencies: z.array(z.string()),
    version: z.string(),
  })
  .strict();
export type Group = z.output<typeof StoredGroup>;

/** Group JSON as `/v2/groups` takes it; ids inside may be relative to their group (resolved later). */
export const GroupDefinition = z.object({
  id: z.string().optional(),
  apps: z.array(z.record(z.string(), z.unknown())).default([]),
  get groups(): z.ZodDefault<z.ZodArray<typeof GroupDefinition>> {
    return z.array(GroupDefinition).default([]);
  },
  dependencies: z.array(z.string()).default([]),
  version: z.string().optional(),
  scaleBy: z.number().positive().optional(),
});

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
