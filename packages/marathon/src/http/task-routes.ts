import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { MarathonError } from "../errors.js";
import { zodDetails } from "../model/app-json.js";
import { appsOf } from "../model/group.js";
import { appViewer } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { all, type Query, wantsText } from "./request.js";
import { killTasks } from "./task-kill.js";
import { endpointsText } from "./tasks-view.js";
import { taskJson } from "./views.js";

type Req = FastifyRequest<{ Querystring: Query }>;

const STATUS = { running: ["TASK_RUNNING"], staging: ["TASK_STAGING", "TASK_STARTING"] } as const;

const DeleteBody = z.object({ ids: z.array(z.string().min(1)) });

/** `GET /v2/tasks` (JSON or Marathon's `text/plain` endpoints; `status=running|staging`) and `POST /v2/tasks/delete`. */
export async function taskRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  app.get("/v2/tasks", async (request: Req, reply) => {
    const statuses = all(request.query, "status");
    for (const s of statuses)
      if (!(s in STATUS))
        throw new MarathonError("INVALID_REQUEST", `Unknown status '${s}' (one of running, staging)`);
    const wanted = new Set<string>(statuses.flatMap((s) => STATUS[s as keyof typeof STATUS]));
    const viewer = appViewer(ctx, request);
    const instances = service
      .instances()
      .filter((i) => (wanted.size === 0 || wanted.has(i.state)) && viewer.app(i.appId));
    const apps = appsOf(service.root());
    if (wantsText(request.headers.accept))
      return reply.type("text/plain").send(endpointsText([...apps.values()], instances));
    return { tasks: instances.map((i) => taskJson(i, apps.get(i.appId))) };
  });

  app.post("/v2/tasks/delete", async (request: Req, reply) => {
    const body = DeleteBody.safeParse(request.body);
    if (!body.success)
      throw new MarathonError("INVALID_DEFINITION", "Object is not valid", {
        details: zodDetails(body.error.issues, ""),
      });
    const known = new Set<string>(service.instances().map((i) => i.taskId));
    const ids = body.data.ids.filter((id) => known.has(id));
    const apps = appsOf(service.root());
    return killTasks(ctx, reply, ids, request.query, (killed) => ({
      tasks: killed.map((i) => taskJson(i, apps.get(i.appId))),
    }));
  });
}
