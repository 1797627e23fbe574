import type { AppDefinition } from "../model/app-definition.js";
import type { DeploymentPlan } from "../model/deployment.js";
import { appsOf, findGroup, type Group } from "../model/group.js";
import { isWithin, parentOf, segmentsOf } from "../model/path-id.js";
import { appChange } from "./app-diff.js";

/**
 * The root group that undoes `plan` on top of `current` (Marathon's `DeploymentPlan.revert`, used by
 * `DELETE /v2/deployments/{id}`): apps the plan added are removed, apps it changed or removed come
 * back as they were in `plan.original`, groups it removed come back and groups it added go when empty,
 * group dependencies it changed are restored. Everything else in `current` (later changes to other
 * apps) stays. The result carries `version`.
 *
 * @example
 * ```ts
 * const back = revertPlan(running.plan, service.root(), new Date().toISOString());
 * await service.deploy(back, { force: true });
 * ```
 */
export function revertPlan(plan: DeploymentPlan, current: Group, version: string): Group {
  const { original, target } = plan;
  let root = current;

  for (const group of groupsOf(original)) {
    const after = findGroup(target, group.id);
    if (after === undefined) root = ensureGroup(root, group.id, original);
    else if (!sameList(after.dependencies, group.dependencies) && findGroup(root, group.id) !== undefined)
      root = mapGroup(root, group.id, (g) => ({ ...g, dependencies: group.dependencies }));
  }

  const before = appsOf(original);
  const after = appsOf(target);
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(id);
    const became = after.get(id);
    if (was === undefined) root = withoutApp(root, id);
    else if (became === undefined || appChange(was, became) !== "none") root = withApp(root, was, original);
  }

  const added = groupsOf(target)
    .filter((g) => findGroup(original, g.id) === undefined)
    .map((g) => g.id)
    .sort((a, b) => segmentsOf(b).length - segmentsOf(a).length);
  for (const id of added) {
    const g = findGroup(root, id);
    if (g !== undefined && g.apps.length === 0 && g.groups.length === 0) root = withoutGroup(root, id);
  }
  return { ...root, version };
}

function groupsOf(root: Group): Group[] {
  return [root, ...root.groups.flatMap(groupsOf)];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `root` with the group `id` changed by `fn`; the group must exist. */
function mapGroup(root: Group, id: string, fn: (g: Group) => Group): Group {
  if (root.id === id) return fn(root);
  return { ...root, groups: root.groups.map((g) => (isWithin(id, g.id) ? mapGroup(g, id, fn) : g)) };
}

/** `root` with group `id` and its ancestors present; missing ones are copied (empty) from `template`. */
function ensureGroup(root: Group, id: string, template: Group): Group {
  if (findGroup(root, id)?.id === id) return root;
  const parentId = parentOf(id);
  const withParent = ensureGroup(root, parentId, template);
  const model = findGroup(template, id);
  const fresh: Group = {
    id,
    apps: [],
    groups: [],
    dependencies: model?.id === id ? model.dependencies : [],
    version: model?.id === id ? model.version : root.version,
  };
  return mapGroup(withParent, parentId, (p) => ({ ...p, groups: [...p.groups, fresh] }));
}

function withApp(root: Group, app: AppDefinition, template: Group): Group {
  const groupId = parentOf(app.id);
  return mapGroup(ensureGroup(root, groupId, template), groupId, (g) => ({
    ...g,
    apps: g.apps.some((a) => a.id === app.id)
      ? g.apps.map((a) => (a.id === app.id ? app : a))
      : [...g.apps, app],
  }));
}

function withoutApp(root: Group, appId: string): Group {
  const groupId = parentOf(appId);
  if (findGroup(root, groupId)?.id !== groupId) return root;
  return mapGroup(root, groupId, (g) => ({ ...g, apps: g.apps.filter((a) => a.id !== appId) }));
}

function withoutGroup(root: Group, id: string): Group {
  const parentId = parentOf(id);
  return mapGroup(root, parentId, (p) => ({ ...p, groups: p.groups.filter((g) => g.id !== id) }));
}
