import type { FastifyReply } from "fastify";
import { MarathonError } from "../errors.js";
import { appIdOfTask, type Instance } from "../model/instance.js";
import { authorizeApps } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { flag, type Query } from "./request.js";
import { deploymentResult } from "./views.js";

/**
 * The task kills of `DELETE /v2/apps/{id}/tasks[/{taskId}]` and `POST /v2/tasks/delete`: `scale`
 * answers with the deployment that lowers the instance counts, otherwise with the killed tasks
 * (`view`); `scale` and `wipe` together are refused, as Marathon does.
 */
export async function killTasks(
  ctx: HttpContext,
  reply: FastifyReply,
  taskIds: string[],
  query: Query,
  view: (killed: Instance[]) => unknown,
): Promise<unknown> {
  const scale = flag(query, "scale");
  const wipe = flag(query, "wipe");
  if (scale && wipe)
    throw new MarathonError("INVALID_REQUEST", "You cannot use scale and wipe at the same time.");
  // Killing an app's tasks is a write of that app (`update_apps`), as scaling it down is.
  authorizeApps(
    ctx,
    reply.request,
    taskIds.map((id) => appIdOfTask(id) ?? id),
  );
  const result = await ctx.service.killInstances(taskIds, { scale, wipe, force: flag(query, "force") });
  if (scale && result.deployment) return deploymentResult(reply, result.deployment);
  return view(result.killed);
}
