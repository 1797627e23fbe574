import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MarathonError } from "../errors.js";
import type { AppDefinition } from "../model/app-definition.js";
import { appJson, invalid, parseApp, patchApp } from "../model/app-json.js";
import { appsOf } from "../model/group.js";
import { findApp, putApp, putApps, removeApp, restartApp } from "../model/group-ops.js";
import { isWithin, resolvePathId } from "../model/path-id.js";
import { appViewer, authorizeAppView, deployAuthorized } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { matchesLabels, parseLabelSelector } from "./label-selector.js";
import { all, first, flag, idFromUrl, type Query, splitAppPath, wantsText } from "./request.js";
import { killTasks } from "./task-kill.js";
import { endpointsText } from "./tasks-view.js";
import { appEmbed, appView, deploymentResult, taskJson } from "./views.js";

type Req = FastifyRequest<{ Querystring: Query; Params: { "*": string } }>;

/**
 * `/v2/apps`: list (filters `cmd`, `id`, `label`; `embed`), create, bulk update, and per app
 * `GET`/`PUT`/`PATCH`/`DELETE`, `/restart`, `/tasks[/{taskId}]`, `/versions[/{version}]`, and
 * `GET /v2/apps/{groupId}/*` (every app below a group). `PUT` is partial unless
 * `partialUpdate=false`, `PATCH` always is. App ids
 * hold slashes, so one wildcard route per method splits the path (`request.ts`).
 */
export async function appRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  app.get("/v2/apps", async (request: Req) => {
    const q = request.query;
    const cmd = first(q.cmd);
    const id = first(q.id)?.toLowerCase();
    const label = first(q.label);
    const terms = label === undefined ? undefined : parseLabelSelector(label);
    const embed = appEmbed(all(q, "embed"), "apps");
    const viewer = appViewer(ctx, request);
    const apps = [...appsOf(service.root()).values()]
      .filter((a) => viewer.app(a.id))
      .filter((a) => cmd === undefined || (a.cmd ?? "").includes(cmd))
      .filter((a) => id === undefined || a.id.includes(id))
      .filter((a) => terms === undefined || matchesLabels(a.labels, terms));
    return { apps: sortById(apps).map((a) => appView(a, service, embed)) };
  });

  app.post("/v2/apps", async (request: Req, reply) => {
    const definition = parseApp(request.body);
    const root = service.root();
    if (findApp(root, definition.id) !== undefined)
      throw new MarathonError("ALREADY_EXISTS", `An app with id [${definition.id}] already exists.`);
    const version = ctx.nextVersion();
    const target = putApp(root, definition, version);
    const plan = await deployAuthorized(ctx, request, target, { force: flag(request.query, "force") });
    const stored = findApp(target, definition.id)!;
    announce(ctx, request, stored);
    reply.header("Location", `/v2/apps${stored.id}`);
    reply.header("Marathon-Deployment-Id", plan.id);
    return reply.code(201).send({
      ...appJson(stored),
      tasksStaged: 0,
      tasksRunning: 0,
      tasksHealthy: 0,
      tasksUnhealthy: 0,
      deployments: [{ id: plan.id }],
    });
  });

  const bulk = (partialByDefault: boolean) => async (request: Req, reply: FastifyReply) => {
    if (!Array.isArray(request.body)) throw invalid([{ path: "/", errors: ["expected an array of apps"] }]);
    const partial = flag(request.query, "partialUpdate", partialByDefault);
    const root = service.root();
    const definitions = readBulk(request.body, partial, (id) => findApp(root, id));
    const target = putApps(root, definitions, ctx.nextVersion());
    const plan = await deployAuthorized(ctx, request, target, { force: flag(request.query, "force") });
    for (const d of definitions) announce(ctx, request, findApp(target, d.id) ?? d);
    return deploymentResult(reply, plan);
  };
  app.put("/v2/apps", bulk(true));
  app.patch("/v2/apps", bulk(true));

  app.get("/v2/apps/*", async (request: Req, reply) => {
    const rest = request.params["*"];
    if (rest.endsWith("/*")) {
      const groupId = idFromUrl(rest.slice(0, -2), () => appNotFound(rest));
      const embed = appEmbed(all(request.query, "embed"), "apps");
      const viewer = appViewer(ctx, request);
      const apps = [...appsOf(service.root()).values()].filter(
        (a) => isWithin(a.id, groupId) && viewer.app(a.id),
      );
      return { apps: sortById(apps).map((a) => appView(a, service, embed)) };
    }
    const path = splitAppPath(rest);
    const appId = idFromUrl(path.appId, () => appNotFound(path.appId));
    authorizeAppView(ctx, request, appId);
    if (path.sub === "versions") {
      const versions = service.appVersions(appId);
      if (path.arg === undefined) {
        if (versions.length === 0 && findApp(service.root(), appId) === undefined) throw appNotFound(appId);
        return { versions };
      }
      const definition = service.appVersion(appId, path.arg);
      if (definition === undefined)
        throw new MarathonError("VERSION_NOT_FOUND", `App '${appId}' does not exist in version ${path.arg}`);
      return appJson(definition);
    }
    const definition = existing(ctx, appId);
    if (path.sub === "tasks") {
      const instances = service.instances(appId);
      if (wantsText(request.headers.accept))
        return reply.type("text/plain").send(endpointsText([definition], instances));
      return { tasks: instances.map((i) => taskJson(i, definition)) };
    }
    if (path.sub !== undefined) throw notFoundRoute(request);
    const embedded = all(request.query, "embed");
    const embed =
      embedded.length === 0
        ? {
            tasks: true,
            counts: true,
            deployments: true,
            lastTaskFailure: true,
            readiness: true,
            taskStats: false,
          }
        : appEmbed(embedded, "app");
    return { app: appView(definition, service, embed) };
  });

  const update =
    (partialByDefault: boolean, alwaysPartial = false) =>
    async (request: Req, reply: FastifyReply) => {
      const path = splitAppPath(request.params["*"]);
      if (path.sub !== undefined) throw notFoundRoute(request);
      const resolved = resolvePathId(path.appId, "/");
      const appId = "id" in resolved ? resolved.id : path.appId;
      const root = service.root();
      const before = findApp(root, appId);
      const definition = readUpdate(
        ctx,
        appId,
        request.body,
        before,
        alwaysPartial || flag(request.query, "partialUpdate", partialByDefault),
      );
      const target = putApp(root, definition, ctx.nextVersion());
      const plan = await deployAuthorized(ctx, request, target, { force: flag(request.query, "force") });
      announce(ctx, request, findApp(target, appId) ?? definition);
      if (before === undefined) reply.code(201).header("Location", `/v2/apps${definition.id}`);
      return deploymentResult(reply, plan);
    };
  app.put("/v2/apps/*", update(true));
  app.patch("/v2/apps/*", update(true, true));

  app.post("/v2/apps/*", async (request: Req, reply) => {
    const path = splitAppPath(request.params["*"]);
    if (path.sub !== "restart" || path.arg !== undefined) throw notFoundRoute(request);
    const appId = idFromUrl(path.appId, () => appNotFound(path.appId));
    const plan = await deployAuthorized(ctx, request, restartApp(service.root(), appId, ctx.nextVersion()), {
      force: flag(request.query, "force"),
    });
    return deploymentResult(reply, plan);
  });

  app.delete("/v2/apps/*", async (request: Req, reply) => {
    const path = splitAppPath(request.params["*"]);
    const appId = idFromUrl(path.appId, () => appNotFound(path.appId));
    const q = request.query;
    if (path.sub === undefined) {
      // Marathon's DELETE of an app is forced unless told otherwise (`@DefaultValue("true")`): a
      // removal replaces a deployment still running for the app.
      const plan = await deployAuthorized(ctx, request, removeApp(service.root(), appId, ctx.nextVersion()), {
        force: flag(q, "force", true),
      });
      return deploymentResult(reply, plan);
    }
    if (path.sub !== "tasks") throw notFoundRoute(request);
    const definition = existing(ctx, appId);
    if (path.arg === undefined) {
      const host = first(q.host);
      const ids = service
        .instances(appId)
        .filter((i) => host === undefined || i.host === host)
        .map((i) => i.taskId);
      return killTasks(ctx, reply, ids, q, (killed) => ({
        tasks: killed.map((i) => taskJson(i, definition)),
      }));
    }
    const taskId = path.arg;
    if (!service.instances(appId).some((i) => i.taskId === taskId))
      throw new MarathonError("TASK_NOT_FOUND", `Task '${taskId}' does not exist`);
    return killTasks(ctx, reply, [taskId], q, (killed) => ({
      task: killed[0] ? taskJson(killed[0], definition) : null,
    }));
  });
}

/** `PUT /v2/apps/{id}`'s body: a rollback (`{version}` only), a partial update, or a whole app. */
function readUpdate(
  ctx: HttpContext,
  appId: string,
  body: unknown,
  before: AppDefinition | undefined,
  partial: boolean,
): AppDefinition {
  if (
    isObject(body) &&
    typeof body.version === "string" &&
    Object.keys(body).every((k) => k === "version" || k === "id")
  ) {
    const old = ctx.service.appVersion(appId, body.version);
    if (old === undefined)
      throw new MarathonError(
        "VERSION_NOT_FOUND",
        `App '${appId}' does not exist in version ${body.version}`,
      );
    return old;
  }
  if (before !== undefined && partial) return patchApp(before, body);
  return parseApp(isObject(body) ? { ...body, id: appId } : body);
}

function readBulk(
  body: unknown[],
  partial: boolean,
  lookup: (id: string) => AppDefinition | undefined,
): AppDefinition[] {
  const errors: MarathonError[] = [];
  const definitions = body.flatMap((raw, i) => {
    const at = `/(${i})`;
    try {
      if (!isObject(raw) || typeof raw.id !== "string")
        throw invalid([{ path: `${at}/id`, errors: ["an app id is required"] }]);
      const resolved = resolvePathId(raw.id, "/");
      const before = "id" in resolved ? lookup(resolved.id) : undefined;
      return [before !== undefined && partial ? patchApp(before, raw, at) : parseApp(raw, "/", at)];
    } catch (e) {
      if (!(e instanceof MarathonError)) throw e;
      errors.push(e);
      return [];
    }
  });
  if (errors.length > 0)
    throw invalid(errors.flatMap((e) => e.details ?? [{ path: "/", errors: [e.message] }]));
  return definitions;
}

function existing(ctx: HttpContext, appId: string): AppDefinition {
  const definition = findApp(ctx.service.root(), appId);
  if (definition === undefined) throw appNotFound(appId);
  return definition;
}

/** `api_post_event`: Marathon tells event subscribers about every app a client wrote. */
function announce(ctx: HttpContext, request: FastifyRequest, definition: AppDefinition): void {
  ctx.events.publish({
    eventType: "api_post_event",
    timestamp: ctx.now().toISOString(),
    clientIp: request.ip,
    uri: request.url.split("?")[0]!,
    appDefinition: definition,
  });
}

function appNotFound(appId: string): MarathonError {
  return new MarathonError(
    "APP_NOT_FOUND",
    `App '${appId.startsWith("/") ? appId : `/${appId}`}' does not exist`,
  );
}

function notFoundRoute(request: FastifyRequest): MarathonError {
  return new MarathonError("APP_NOT_FOUND", `No route for ${request.method} ${request.url}`);
}

function sortById(apps: AppDefinition[]): AppDefinition[] {
  return apps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
