import { MarathonError } from "../errors.js";
import { appsOf, findGroup, type Group } from "../model/group.js";
import { parentOf, ROOT } from "../model/path-id.js";

/**
 * The apps each app of `root` waits for: its own `dependencies` and those of every group enclosing
 * it, each resolved to an app or to every app of a group. An app never waits for itself (a group's
 * dependency on a group that holds the app). Unknown ids are refused with `INVALID_DEFINITION`.
 */
function dependenciesOf(root: Group): Map<string, Set<string>> {
  const apps = appsOf(root);
  const unknown: string[] = [];
  const out = new Map<string, Set<string>>();
  for (const [appId, app] of apps) {
    const deps = new Set<string>();
    for (const dep of [...app.dependencies, ...enclosingGroupDependencies(root, appId)]) {
      const resolved = resolve(root, apps, dep);
      if (resolved === undefined) unknown.push(`'${appId}' depends on '${dep}', which does not exist`);
      for (const id of resolved ?? []) if (id !== appId) deps.add(id);
    }
    out.set(appId, deps);
  }
  if (unknown.length > 0)
    throw new MarathonError("INVALID_DEFINITION", "Object is not valid", {
      details: [{ path: "/dependencies", errors: unknown }],
    });
  return out;
}

/**
 * Marathon's dependency levels: 0 for an app that waits for nothing, else one more than the highest
 * level it waits for (the longest path). A cycle is refused with `INVALID_DEFINITION`.
 */
export function dependencyLevels(root: Group): Map<string, number> {
  const deps = dependenciesOf(root);
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (id: string, chain: string[]): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id))
      throw new MarathonError("INVALID_DEFINITION", "Object is not valid", {
        details: [
          {
            path: "/dependencies",
            errors: [`Dependency graph has cyclic dependencies: ${[...chain, id].join(" -> ")}`],
          },
        ],
      });
    visiting.add(id);
    let level = 0;
    for (const dep of [...(deps.get(id) ?? [])].sort())
      level = Math.max(level, levelOf(dep, [...chain, id]) + 1);
    visiting.delete(id);
    levels.set(id, level);
    return level;
  };
  for (const id of [...deps.keys()].sort()) levelOf(id, []);
  return levels;
}

function enclosingGroupDependencies(root: Group, appId: string): string[] {
  const out: string[] = [];
  let groupId = parentOf(appId);
  for (;;) {
    out.push(...(findGroup(root, groupId)?.dependencies ?? []));
    if (groupId === ROOT) return out;
    groupId = parentOf(groupId);
  }
}

function resolve(root: Group, apps: Map<string, unknown>, dep: string): string[] | undefined {
  if (apps.has(dep)) return [dep];
  const group = findGroup(root, dep);
  return group === undefined ? undefined : [...appsOf(group).keys()];
}
