import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { planDeployment } from "../deployment/planner.js";
import { MarathonError } from "../errors.js";
import { parseGroup } from "../model/app-json.js";
import { DeploymentId } from "../model/deployment.js";
import type { Group } from "../model/group.js";
import { findExactGroup, putGroup, removeGroup, scaleGroup } from "../model/group-ops.js";
import { parentOf, ROOT } from "../model/path-id.js";
import { appViewer, deployAuthorized, visibleGroup } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { all, flag, idFromUrl, type Query } from "./request.js";
import { deploymentResult, groupEmbed, groupView } from "./views.js";

type Req = FastifyRequest<{ Querystring: Query; Params: { "*"?: string } }>;

/**
 * `/v2/groups[/{id}]`: GET (`embed=group.groups|group.apps…`), POST (create, 409 when it exists),
 * PUT/PATCH (update; `{version}` alone = rollback, `{scaleBy}` alone = scale the subtree; `dryRun`
 * answers the plan's steps), DELETE, and `/versions[/{version}]`.
 */
export async function groupRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  const get = async (request: Req) => {
    const path = splitGroupPath(request.params["*"] ?? "");
    const groupId = idFromUrl(path.groupId, () => groupNotFound(path.groupId));
    // Only what the principal may view (`view_apps`): a group that shows it nothing is not there.
    const viewer = appViewer(ctx, request);
    const visible = (group: Group | undefined) =>
      group && ctx.authorization ? visibleGroup(group, viewer) : group;
    if (path.versions) {
      if (path.version === undefined) {
        if (visible(findExactGroup(service.root(), groupId)) === undefined) throw groupNotFound(groupId);
        return groupVersions(ctx, groupId);
      }
      const old = service.rootVersion?.(path.version);
      const group = visible(old && findExactGroup(old, groupId));
      if (!group)
        throw new MarathonError(
          "VERSION_NOT_FOUND",
          `Group '${groupId}' does not exist in version ${path.version}`,
        );
      return groupView(group, service, groupEmbed(all(request.query, "embed")));
    }
    const group = visible(findExactGroup(service.root(), groupId));
    if (group === undefined) throw groupNotFound(groupId);
    return groupView(group, service, groupEmbed(all(request.query, "embed")));
  };
  app.get("/v2/groups", get);
  app.get("/v2/groups/*", get);

  const create = async (request: Req, reply: FastifyReply) => {
    const urlId = idFromUrl(request.params["*"] ?? "", () => groupNotFound(request.params["*"] ?? ""));
    const parsed = parseGroup(request.body, urlId, urlId);
    const root = service.root();
    if (parsed.group.id === ROOT || findExactGroup(root, parsed.group.id) !== undefined)
      throw new MarathonError(
        "ALREADY_EXISTS",
        `Group ${parsed.group.id} is already created. Use PUT to change this group.`,
      );
    const target = putGroup(root, parsed.group, ctx.nextVersion());
    const plan = await deployAuthorized(ctx, request, target, { force: flag(request.query, "force") });
    reply.code(201).header("Location", `/v2/groups${parsed.group.id === ROOT ? "" : parsed.group.id}`);
    return deploymentResult(reply, plan);
  };
  app.post("/v2/groups", create);
  app.post("/v2/groups/*", create);

  const update = async (request: Req, reply: FastifyReply) => {
    const urlId = idFromUrl(request.params["*"] ?? "", () => groupNotFound(request.params["*"] ?? ""));
    const parsed = parseGroup(request.body, urlId, parentOf(urlId));
    const root = service.root();
    const groupId = parsed.group.id;
    const version = ctx.nextVersion();
    const target = targetOf(ctx, root, parsed, groupId, version);
    if (flag(request.query, "dryRun")) {
      const plan = planDeployment(root, target, { id: DeploymentId.parse("dry-run") });
      return {
        steps: plan.steps.map((s) => ({ actions: s.actions.map((a) => ({ action: a.action, app: a.app })) })),
      };
    }
    const plan = await deployAuthorized(ctx, request, target, { force: flag(request.query, "force") });
    return deploymentResult(reply, plan);
  };
  app.put("/v2/groups", update);
  app.put("/v2/groups/*", update);
  app.patch("/v2/groups", update);
  app.patch("/v2/groups/*", update);

  const remove = async (request: Req, reply: FastifyReply) => {
    const groupId = idFromUrl(request.params["*"] ?? "", () => groupNotFound(request.params["*"] ?? ""));
    const plan = await deployAuthorized(
      ctx,
      request,
      removeGroup(service.root(), groupId, ctx.nextVersion()),
      {
        force: flag(request.query, "force"),
      },
    );
    return deploymentResult(reply, plan);
  };
  app.delete("/v2/groups", remove);
  app.delete("/v2/groups/*", remove);
}

/** The new root for a group PUT: a rollback, a scaling, or the body merged into the group (GroupUpdate). */
function targetOf(
  ctx: HttpContext,
  root: Group,
  parsed: ReturnType<typeof parseGroup>,
  groupId: string,
  version: string,
): Group {
  const { has } = parsed;
  const onlyVersion = parsed.version !== undefined && !has.apps && !has.groups && !has.dependencies;
  if (onlyVersion && parsed.scaleBy === undefined) {
    const old = ctx.service.rootVersion?.(parsed.version!);
    const group = old && findExactGroup(old, groupId);
    if (!group)
      throw new MarathonError(
        "VERSION_NOT_FOUND",
        `Group '${groupId}' does not exist in version ${parsed.version}`,
      );
    return putGroup(root, group, version);
  }
  if (parsed.scaleBy !== undefined && !has.apps && !has.groups)
    return scaleGroup(root, groupId, parsed.scaleBy, version);
  const current = findExactGroup(root, groupId);
  const merged: Group = {
    ...parsed.group,
    apps: has.apps || current === undefined ? parsed.group.apps : current.apps,
    groups: has.groups || current === undefined ? parsed.group.groups : current.groups,
    dependencies:
      has.dependencies || current === undefined ? parsed.group.dependencies : current.dependencies,
  };
  return putGroup(root, merged, version);
}

/** Versions a group has had: the distinct versions it carried across the root's history, newest first. */
function groupVersions(ctx: HttpContext, groupId: string): string[] {
  const versions = new Set<string>();
  for (const v of ctx.service.rootVersions?.() ?? []) {
    const old = ctx.service.rootVersion?.(v);
    const group = old && findExactGroup(old, groupId);
    if (group) versions.add(group.version);
  }
  return [...versions].sort().reverse();
}

function splitGroupPath(rest: string): { groupId: string; versions: boolean; version: string | undefined } {
  const segments = rest.split("/").filter((s) => s !== "");
  if (segments.at(-1) === "versions")
    return { groupId: segments.slice(0, -1).join("/"), versions: true, version: undefined };
  if (segments.at(-2) === "versions")
    return { groupId: segments.slice(0, -2).join("/"), versions: true, version: segments.at(-1) };
  return { groupId: segments.join("/"), versions: false, version: undefined };
}

function groupNotFound(groupId: string): MarathonError {
  return new MarathonError(
    "GROUP_NOT_FOUND",
    `Group '${groupId.startsWith("/") ? groupId : `/${groupId}`}' does not exist`,
  );
}
