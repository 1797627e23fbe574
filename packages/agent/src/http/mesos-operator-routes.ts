import { lstat, open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { type Authorization, isSecurityError } from "@agora/security";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AgentView } from "../agent-view.js";
import { isAgentError } from "../errors.js";
import { agentResponse, fileInfo, getContainers, parseAgentCall } from "../mesos-v1/agent-operator.js";
import { isMesosAgentApiError, MesosAgentApiError } from "../mesos-v1/errors.js";
import { processGroupUsage } from "../usage/proc-usage.js";
import { AccountNames } from "./account-names.js";
import { authorizeSandbox, containerViewer, visibleAgent } from "./authorize.js";
import { MAX_READ_LENGTH } from "./files-routes.js";
import { postOnly, readMesosJson, textReply as text, withRawBodies } from "./mesos-v1-http.js";
import { resolveSandboxPath } from "./sandbox-path.js";

/**
 * Mesos' agent operator API, `POST /api/v1`: GET_HEALTH, GET_VERSION, GET_AGENT, GET_STATE,
 * GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_CONTAINERS, LIST_FILES and READ_FILE in Mesos' JSON
 * (`{type, get_x: {…}}`). Files are confined to the sandboxes exactly as `/files/*` are, and
 * checked against `access_sandboxes` as they are.
 */
export async function mesosOperatorRoutes(
  app: FastifyInstance,
  { agent, authorization }: { agent: AgentView; authorization?: Authorization | undefined },
): Promise<void> {
  const accounts = new AccountNames();
  withRawBodies(app);
  postOnly(app, "/api/v1");

  app.post("/api/v1", async (request, reply) => {
    try {
      const call = parseAgentCall(readMesosJson(request));
      switch (call.type) {
        case "GET_CONTAINERS": {
          // Only the containers the principal may view (`view_containers`).
          const viewer = containerViewer(agent, authorization, request.principal);
          const tasks = (await agent.taskUsage()).filter(({ task }) => viewer.task(task));
          const executors = await Promise.all(
            (agent.customExecutors?.list() ?? []).filter(viewer.executor).map(async (executor) => ({
              executor,
              usage: await processGroupUsage(executor.pid).catch(() => undefined),
            })),
          );
          return { type: call.type, get_containers: getContainers({ tasks, executors }) };
        }
        case "LIST_FILES": {
          const requested = call.list_files!.path;
          const dir = await sandboxPath(request, requested, "list_files.path");
          if (!(await stat(dir)).isDirectory())
            throw new MesosAgentApiError(`'${requested}' is not a directory`, 400, "list_files.path");
          const base = path.resolve(requested);
          const file_infos = await Promise.all(
            (await readdir(dir)).sort().map(async (name) => {
              const s = await lstat(path.join(dir, name));
              const { uid, gid } = await accounts.names(s.uid, s.gid);
              return fileInfo({ path: path.join(base, name), ...s, mtimeMs: s.mtimeMs, uid, gid });
            }),
          );
          return { type: call.type, list_files: { file_infos } };
        }
        case "READ_FILE": {
          const { path: requested, offset, length } = call.read_file!;
          const file = await sandboxPath(request, requested, "read_file.path");
          const handle = await open(file, "r");
          try {
            const s = await handle.stat();
            if (!s.isFile())
              throw new MesosAgentApiError(`'${requested}' is not a file`, 400, "read_file.path");
            const count = Math.max(0, Math.min(length ?? s.size, MAX_READ_LENGTH, s.size - offset));
            const buffer = Buffer.alloc(count);
            const { bytesRead } = await handle.read(buffer, 0, count, offset);
            return {
              type: call.type,
              read_file: { size: s.size, data: buffer.subarray(0, bytesRead).toString("base64") },
            };
          } finally {
            await handle.close();
          }
        }
        default:
          return agentResponse(call.type, visibleAgent(agent, authorization, request.principal));
      }
    } catch (err) {
      if (isMesosAgentApiError(err)) return text(reply, err.status, err.message);
      if (isAgentError(err)) return text(reply, err.status, err.message);
      if (isSecurityError(err)) return text(reply, 403, err.message);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return text(reply, 404, "File not found");
      throw err;
    }
  });

  async function sandboxPath(request: FastifyRequest, requested: string, field: string): Promise<string> {
    const resolved = await resolveSandboxPath(agent.sandboxRoot, requested, field);
    await authorizeSandbox(agent, authorization, request.principal, requested, resolved);
    return resolved;
  }
}
