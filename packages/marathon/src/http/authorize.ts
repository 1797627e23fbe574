import type { Principal } from "@agora/security";
import type { FastifyRequest } from "fastify";
import type { MarathonEvent } from "../events.js";
import { affectedApps, type DeploymentPlan } from "../model/deployment.js";
import { appsOf, type Group } from "../model/group.js";
import { ROOT } from "../model/path-id.js";
import type { HttpContext } from "./context.js";

/** The request's authenticated principal (undefined: anonymous, matched by ANY or NONE only). */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal;
}

/**
 * What the request's principal may see (`view_apps`, by app id, as Marathon's auth plugins filter by
 * `ViewRunSpec`): `app(id)` for each app; `groups`, whether it sees groups that show no app (those
 * with none, or with none it may view), which only an `ANY` rule gives. Everything without `--acls`.
 */
export interface AppViewer {
  app(id: string): boolean;
  readonly groups: boolean;
}

export function appViewer(ctx: HttpContext, request: FastifyRequest): AppViewer {
  const authz = ctx.authorization;
  if (!authz) return { app: () => true, groups: true };
  const principal = principalOf(request);
  return {
    app: (id) => authz.visible("view_apps", principal, id),
    groups: authz.visible("view_apps", principal, undefined),
  };
}

/**
 * An event of `/v2/events` as `viewer` may see it, pure; undefined when it may not. One about an app
 * (its tasks, health, termination, an API post of it) reaches it only if it may view the app; a
 * deployment's if it may view one of its apps (as `/v2/deployments` lists them), with the plan's
 * original and target groups narrowed to what it may view (they hold every app of the cluster); a
 * group change if it sees groups, or an app of `root` inside that group; the others (the scheduler,
 * the stream itself) reach everyone.
 */
export function eventFor(event: MarathonEvent, viewer: AppViewer, root: Group): MarathonEvent | undefined {
  if ("appId" in event) return viewer.app(event.appId) ? event : undefined;
  if ("runSpecId" in event) return viewer.app(event.runSpecId) ? event : undefined;
  if ("appDefinition" in event) return viewer.app(event.appDefinition.id) ? event : undefined;
  if ("groupId" in event)
    return viewer.groups || viewsInside(root, event.groupId, viewer) ? event : undefined;
  if ("plan" in event) {
    const { plan } = event;
    if (!affectedApps(plan).some((id) => viewer.app(id))) return undefined;
    // The root always stays (visibleGroup keeps it), so both are defined.
    const narrowed = {
      ...plan,
      original: visibleGroup(plan.original, viewer)!,
      target: visibleGroup(plan.target, viewer)!,
    };
    return { ...event, plan: narrowed };
  }
  return event;
}

/** Whether `viewer` may view an app of `root` inside the group `groupId`. */
function viewsInside(root: Group, groupId: string, viewer: AppViewer): boolean {
  const prefix = groupId === ROOT ? ROOT : `${groupId}/`;
  for (const id of appsOf(root).keys())
    if ((id === groupId || id.startsWith(prefix)) && viewer.app(id)) return true;
  return false;
}

/**
 * Throws FORBIDDEN (403) unless the principal may `view_apps` on `appId`: a single app, its tasks or
 * its versions are refused, as Marathon refuses a `ViewRunSpec` it does not allow (lists are filtered).
 */
export function authorizeAppView(ctx: HttpContext, request: FastifyRequest, appId: string): void {
  ctx.authorization?.check("view_apps", principalOf(request), appId);
}

/**
 * `group` as `viewer` may see it, pure: only the apps it may view, and the subgroups that still show
 * one (all of them when it sees groups without apps); undefined when nothing of it is left to show,
 * but the root is always there.
 */
export function visibleGroup(group: Group, viewer: AppViewer): Group | undefined {
  const apps = group.apps.filter((a) => viewer.app(a.id));
  const groups = group.groups.flatMap((g) => visibleGroup(g, viewer) ?? []);
  if (apps.length === 0 && groups.length === 0 && group.id !== ROOT && !viewer.groups) return undefined;
  return { ...group, apps, groups };
}

/** Throws FORBIDDEN (403, Marathon's `{message}`) unless the principal may `update_apps` each app id. */
export function authorizeApps(ctx: HttpContext, request: FastifyRequest, appIds: Iterable<string>): void {
  if (!ctx.authorization) return;
  const principal = principalOf(request);
  for (const id of appIds) ctx.authorization.check("update_apps", principal, id);
}

/**
 * Deploys `target` if the request's principal may update every app the write adds, changes or
 * removes (the way Marathon authorizes a group change: per app it touches, whatever the route).
 */
export async function deployAuthorized(
  ctx: HttpContext,
  request: FastifyRequest,
  target: Group,
  options: { force: boolean },
): Promise<DeploymentPlan> {
  if (ctx.authorization) authorizeApps(ctx, request, changedApps(ctx.service.root(), target));
  return ctx.service.deploy(target, options);
}

/** Ids of the apps that differ between two roots (versions aside), added and removed ones included. */
export function changedApps(before: Group, after: Group): string[] {
  const a = appsOf(before);
  const b = appsOf(after);
  const ids = new Set([...a.keys(), ...b.keys()]);
  return [...ids].filter((id) => {
    const x = a.get(id);
    const y = b.get(id);
    return x !== y && (x === undefined || y === undefined || definitionOf(x) !== definitionOf(y));
  });
}

/** A restart changes nothing but the version: it counts as a change of that app. */
function definitionOf(app: object): string {
  return JSON.stringify(app);
}
