import type { Principal } from "@agora/security";
import type { FastifyRequest } from "fastify";
import type { DeploymentPlan } from "../model/deployment.js";
import { appsOf, type Group } from "../model/group.js";
import type { HttpContext } from "./context.js";

/** The request's authenticated principal (undefined: anonymous, matched by ANY or NONE only). */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal;
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
