import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { MasterView } from "../view.js";
import { jsonBytes, MesosStateRenderer, mesosTask } from "./mesos-state.js";
import { mesosStateSummary } from "./mesos-summary.js";
import { parseQuery } from "./query.js";

export interface StateRoutesOptions {
  /** The registry as the request's principal may see it (`view_frameworks`, `view_tasks`). */
  snapshot: (request: FastifyRequest) => MasterView;
}

/** Mesos' `/master/tasks` query: paging and filters (unknown parameters are ignored, as Mesos does). */
const TasksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  order: z.enum(["asc", "desc"]).default("desc"),
  framework_id: z.string().min(1).optional(),
  task_id: z.string().min(1).optional(),
});

/** The read-only registry endpoints, in Mesos' JSON shapes. */
export async function stateRoutes(app: FastifyInstance, { snapshot }: StateRoutesOptions): Promise<void> {
  // One renderer for the app: its fragments serve every request, whoever asks.
  const renderer = new MesosStateRenderer();
  const state = async (request: FastifyRequest, reply: FastifyReply) =>
    reply.type("application/json; charset=utf-8").send(jsonBytes(renderer.render(snapshot(request))));
  app.get("/master/state", state);
  app.get("/state", state);
  app.get("/master/state.json", state);
  app.get("/master/state-summary", async (request) => mesosStateSummary(snapshot(request)));

  app.get("/master/tasks", async (request) => {
    const q = parseQuery(TasksQuery, request.query);
    const view = snapshot(request);
    const tasks = [...view.frameworks.values(), ...view.completedFrameworks]
      .filter((f) => q.framework_id === undefined || f.id === q.framework_id)
      .flatMap((f) => [...f.tasks.values(), ...f.completedTasks.values()])
      .filter((t) => q.task_id === undefined || t.task.taskId === q.task_id)
      .map(mesosTask)
      .sort((a, b) => lastTimestamp(a) - lastTimestamp(b));
    if (q.order === "desc") tasks.reverse();
    return { tasks: tasks.slice(q.offset, q.offset + q.limit) };
  });
}

function lastTimestamp(task: { statuses: { timestamp: number }[] }): number {
  return task.statuses[task.statuses.length - 1]?.timestamp ?? 0;
}
