import type { FastifyInstance, FastifyRequest } from "fastify";
import { MarathonError } from "../errors.js";
import { affectedApps } from "../model/deployment.js";
import { appViewer, authorizeApps } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { flag, type Query } from "./request.js";
import { deploymentJson, deploymentResult, queueJson } from "./views.js";

type Req = FastifyRequest<{ Querystring: Query; Params: { id: string } }>;

/**
 * `/v2/deployments` (GET; DELETE `{id}` rolls the deployment back with a new forced deployment,
 * `force=true` only stops it: 202) and `/v2/queue` (GET; DELETE `{appId}/delay` ends the backoff).
 */
export async function deploymentRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  // As Marathon: a deployment is listed to whoever may view one of the apps it affects.
  app.get("/v2/deployments", async (request) => {
    const viewer = appViewer(ctx, request);
    return service
      .deployments()
      .filter((d) => affectedApps(d.plan).some((id) => viewer.app(id)))
      .map(deploymentJson);
  });

  app.delete("/v2/deployments/:id", async (request: Req, reply) => {
    const { id } = request.params;
    const deployment = service.deployments().find((d) => d.plan.id === id);
    if (!deployment) throw new MarathonError("DEPLOYMENT_NOT_FOUND", `DeploymentPlan ${id} does not exist`);
    authorizeApps(ctx, request, affectedApps(deployment.plan));
    const force = flag(request.query, "force");
    const rollback = await service.cancelDeployment(id, { force });
    if (force || rollback === undefined) return reply.code(202).send();
    return deploymentResult(reply, rollback);
  });

  app.get("/v2/queue", async (request) => {
    const now = ctx.now().getTime();
    const viewer = appViewer(ctx, request);
    const queue = service.queue().filter((q) => viewer.app(q.app.id));
    return { queue: queue.map((q) => queueJson(q, service, now)) };
  });

  app.delete("/v2/queue/*", async (request: FastifyRequest<{ Params: { "*": string } }>, reply) => {
    const segments = request.params["*"].split("/").filter((s) => s !== "");
    if (segments.at(-1) !== "delay" || segments.length < 2)
      throw new MarathonError("APP_NOT_FOUND", `No route for DELETE ${request.url}`);
    const appId = `/${segments.slice(0, -1).join("/")}`;
    authorizeApps(ctx, request, [appId]);
    if (!service.resetDelay(appId))
      throw new MarathonError("APP_NOT_FOUND", `Application ${appId} not found in tasks queue.`);
    return reply.code(204).send();
  });
}
