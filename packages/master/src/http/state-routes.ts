import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { MasterView } from "../view.js";
import { jsonSize, MesosStateRenderer, mesosTask, writeJson } from "./mesos-state.js";
import { mesosStateSummary } from "./mesos-summary.js";
import { parseQuery } from "./query.js";
import { ReplyBuffer } from "./reply-buffer.js";

export interface StateRoutesOptions {
  /** The registry as the request's principal may see it (`view_frameworks`, `view_tasks`). */
  snapshot: (request: FastifyRequest) => MasterView;
  /** Told how long each `/master/state` held the event loop, in seconds. */
  rendered?: (seconds: number) => void;
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
export async function stateRoutes(
  app: FastifyInstance,
  { snapshot, rendered }: StateRoutesOptions,
): Promise<void> {
  // One renderer for the app: its fragments serve every request, whoever asks.
  const renderer = new MesosStateRenderer();
  const buffers = new ReplyBuffer();
  const state = async (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const pieces = renderer.render(snapshot(request));
    const joined = performance.now();
    const lent = buffers.take(jsonSize(pieces));
    writeJson(pieces, lent.body);
    const copied = performance.now();
    rendered?.((copied - started) / 1000);
    // A reply cut short may still hold the buffer in a pending write: only a whole one gives it back.
    reply.raw.once("finish", lent.release);
    request.log.debug(
      { renderMs: joined - started, copyMs: copied - joined, bytes: lent.body.length },
      "/master/state rendered",
    );
    return reply.type("application/json; charset=utf-8").send(lent.body);
  };
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
