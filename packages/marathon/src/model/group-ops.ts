import { MarathonError } from "../errors.js";
import { sameConfig } from "./app-config.js";
import type { AppDefinition } from "./app-definition.js";
import { invalid } from "./app-json.js";
import { appsOf, findGroup, type Group } from "./group.js";
import { isWithin, parentOf, ROOT, segmentsOf } from "./path-id.js";
import {
  assignServicePorts,
  inheritServicePorts,
  servicePortConflicts,
  servicePortsInUse,
} from "./service-ports.js";

/**
 * Pure operations on the root group, one per kind of REST write. Each returns a new root stamped with
 * `version` (the caller's ISO timestamp) and never mutates its input; the REST layer hands the result
 * to `MarathonService.deploy`. Versions follow Marathon's `versionInfo` rules: a change of `instances`
 * only is a scaling (`lastScalingAt` moves, `lastConfigChangeAt` stays), any other change moves both,
 * an unchanged app keeps its version.
 */

/** Adds or replaces `app` (creating its enclosing groups), stamping it against the app it replaces. */
export function putApp(root: Group, app: AppDefinition, version: string): Group {
  return putApps(root, [app], version);
}

/** Adds or replaces several apps in one new root (bulk `PUT /v2/apps`). */
export function putApps(root: Group, apps: readonly AppDefinition[], version: string): Group {
  let next = root;
  for (const app of apps) {
    if (findExactGroup(root, app.id) !== undefined)
      throw conflict(`An app may not have the id of the group '${app.id}'`);
    const previous = findApp(root, app.id);
    const stamped = stampApp(previous, inheritServicePorts(previous, app), version);
    next = upsertApp(next, stamped, version);
  }
  return { ...withServicePorts(next, version), version };
}

/** Removes an app; `APP_NOT_FOUND` when it does not exist. */
export function removeApp(root: Group, appId: string, version: string): Group {
  if (findApp(root, appId) === undefined) throw appNotFound(appId);
  return {
    ...mapGroupOf(root, parentOf(appId), version, (g) => ({
      ...g,
      apps: g.apps.filter((a) => a.id !== appId),
    })),
    version,
  };
}

/** A restart: the same definition as a configuration change at `version`, so its instances are replaced. */
export function restartApp(root: Group, appId: string, version: string): Group {
  const app = findApp(root, appId);
  if (app === undefined) throw appNotFound(appId);
  return upsertApp(
    root,
    { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } },
    version,
  );
}

/**
 * Replaces the group at `group.id` (creating its parents) with `group`: its apps and subgroups are
 * exactly the given ones, each app stamped against the app of the same id in `root`.
 */
export function putGroup(root: Group, group: Group, version: string): Group {
  if (findApp(root, group.id) !== undefined)
    throw conflict(`A group may not have the id of the app '${group.id}'`);
  const before = appsOf(root);
  const stamp = (g: Group): Group => ({
    ...g,
    version,
    apps: g.apps.map((a) => stampApp(before.get(a.id), inheritServicePorts(before.get(a.id), a), version)),
    groups: g.groups.map(stamp),
  });
  const stamped = stamp(group);
  checkNoClashes(stamped);
  return withServicePorts(group.id === ROOT ? stamped : replaceGroup(root, stamped, version), version);
}

/** Removes a group and everything in it; removing the root empties it. `GROUP_NOT_FOUND` when absent. */
export function removeGroup(root: Group, groupId: string, version: string): Group {
  if (groupId === ROOT) return { ...root, apps: [], groups: [], dependencies: [], version };
  if (findExactGroup(root, groupId) === undefined) throw groupNotFound(groupId);
  return {
    ...mapGroupOf(root, parentOf(groupId), version, (g) => ({
      ...g,
      groups: g.groups.filter((c) => c.id !== groupId),
    })),
    version,
  };
}

/** `scaleBy`: every app in the group and below gets `ceil(instances × factor)` instances (Marathon's rule). */
export function scaleGroup(root: Group, groupId: string, factor: number, version: string): Group {
  const group = findExactGroup(root, groupId);
  if (group === undefined) throw groupNotFound(groupId);
  const scaled = [...appsOf(group).values()].map((a) => ({
    ...a,
    instances: Math.ceil(a.instances * factor),
  }));
  return putApps(root, scaled, version);
}

/**
 * Service ports for the apps whose configuration changed at `version` (new ones included); apps not
 * changed keep theirs untouched, so a write never restarts an app it did not change. A changed app
 * asking for a non-zero service port another app holds is refused (`INVALID_DEFINITION`), as Marathon.
 */
function withServicePorts(root: Group, version: string): Group {
  const apps = [...appsOf(root).values()];
  const changed = apps.filter((a) => a.versionInfo?.lastConfigChangeAt === version);
  const conflicts = servicePortConflicts(changed, apps);
  if (conflicts.length > 0) throw invalid([{ path: "/", errors: conflicts }]);
  const used = servicePortsInUse(apps);
  let next = root;
  for (const app of apps) {
    if (app.versionInfo?.lastConfigChangeAt !== version) continue;
    const [assigned] = assignServicePorts([app], used);
    if (assigned !== undefined && assigned !== app) next = upsertApp(next, assigned, version);
  }
  return next;
}

/** The app with `appId` anywhere in `root`. */
export function findApp(root: Group, appId: string): AppDefinition | undefined {
  return findExactGroup(root, parentOf(appId))?.apps.find((a) => a.id === appId);
}

/** The group whose id is exactly `groupId` (`findGroup` may stop at an ancestor). */
export function findExactGroup(root: Group, groupId: string): Group | undefined {
  const found = findGroup(root, groupId);
  return found?.id === groupId ? found : undefined;
}

/**
 * Marathon's version stamp for `next` replacing `previous`: unchanged → the previous app as it was;
 * only `instances` changed → a scaling; anything else (or a new app) → a configuration change.
 */
export function stampApp(
  previous: AppDefinition | undefined,
  next: AppDefinition,
  version: string,
): AppDefinition {
  if (previous === undefined)
    return { ...next, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
  if (sameConfig(previous, next)) {
    if (previous.instances === next.instances) return previous;
    return {
      ...next,
      version,
      versionInfo: {
        lastScalingAt: version,
        lastConfigChangeAt: previous.versionInfo?.lastConfigChangeAt ?? previous.version ?? version,
      },
    };
  }
  return { ...next, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
}

function upsertApp(root: Group, app: AppDefinition, version: string): Group {
  return mapGroupOf(root, parentOf(app.id), version, (g) => {
    const at = g.apps.findIndex((a) => a.id === app.id);
    const apps = at < 0 ? [...g.apps, app] : g.apps.map((a, i) => (i === at ? app : a));
    return { ...g, apps };
  });
}

function replaceGroup(root: Group, group: Group, version: string): Group {
  return mapGroupOf(root, parentOf(group.id), version, (g) => {
    const at = g.groups.findIndex((c) => c.id === group.id);
    const groups = at < 0 ? [...g.groups, group] : g.groups.map((c, i) => (i === at ? group : c));
    return { ...g, groups };
  });
}

/**
 * Applies `change` to the group `groupId`, creating it and its missing parents (empty, at `version`),
 * and stamps every group on the way with `version`.
 */
function mapGroupOf(root: Group, groupId: string, version: string, change: (g: Group) => Group): Group {
  const walk = (g: Group, depth: number): Group => {
    if (g.id === groupId) return { ...change(g), version };
    const childId = `/${segmentsOf(groupId)
      .slice(0, depth + 1)
      .join("/")}`;
    const existing = g.groups.find((c) => c.id === childId);
    const child = existing ?? { id: childId, apps: [], groups: [], dependencies: [], version };
    if (!existing && g.apps.some((a) => a.id === childId))
      throw conflict(`A group may not have the id of the app '${childId}'`);
    const updated = walk(child, depth + 1);
    const groups = existing ? g.groups.map((c) => (c.id === childId ? updated : c)) : [...g.groups, updated];
    return { ...g, groups, version };
  };
  if (!isWithin(groupId, root.id)) throw groupNotFound(groupId);
  return walk(root, 0);
}

function checkNoClashes(group: Group): void {
  const groupIds = new Set<string>();
  const walk = (g: Group): void => {
    groupIds.add(g.id);
    for (const c of g.groups) walk(c);
  };
  walk(group);
  for (const id of appsOf(group).keys())
    if (groupIds.has(id)) throw conflict(`Groups and Applications may not have the same identifier: ${id}`);
}

function conflict(message: string): MarathonError {
  return new MarathonError("INVALID_DEFINITION", "Object is not valid", {
    details: [{ path: "/", errors: [message] }],
  });
}

function appNotFound(appId: string): MarathonError {
  return new MarathonError("APP_NOT_FOUND", `App '${appId}' does not exist`);
}

function groupNotFound(groupId: string): MarathonError {
  return new MarathonError("GROUP_NOT_FOUND", `Group '${groupId}' does not exist`);
}
