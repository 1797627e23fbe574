import path from "node:path";
import { Readable } from "node:stream";
import type { FrameworkId, TaskId } from "@agora/protocol";
import { type HttpSecurity, httpScheme, upstreamTls } from "@agora/security";
import replyFrom from "@fastify/reply-from";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { z } from "zod";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import type { MasterView } from "../view.js";
import { authorize } from "./authorize.js";
import { parseQuery } from "./query.js";

type AgentParams = { Params: { agentId: string } };

const DownloadQuery = z.object({ path: z.string().min(1, "path is required") });

/** One `/files/read` answer of an agent. */
const ReadAnswer = z.object({ data: z.string(), offset: z.number() });

/** The agent caps one read at 64 KiB; the download asks for that much at a time. */
const CHUNK = 64 * 1024;

/**
 * The browser reaches agents' sandboxes through the master (Mesos' UI broke whenever the browser
 * could not reach an agent on :5051): `/agents/:agentId/state`, `/agents/:agentId/files/browse`
 * and `/agents/:agentId/files/read` are forwarded to that agent's HTTP API as they are, and
 * `/agents/:agentId/files/download?path=` streams a whole file as an attachment, read from the
 * agent in 64 KiB pieces. An unknown agent is a 404; one that does not answer, a 502.
 */
export async function agentProxyRoutes(
  app: FastifyInstance,
  { master, security }: { master: Master; security?: HttpSecurity | undefined },
): Promise<void> {
  const tls = upstreamTls(security);
  await app.register(replyFrom, {
    undici: { headersTimeout: 15_000, bodyTimeout: 60_000, ...(tls ? { connect: tls } : {}) },
    disableRequestLogging: true,
  });

  const agentUrl = (agentId: string): string => {
    const agent = master.snapshot().agents.get(agentId as never);
    if (!agent)
      throw new MasterError("NOT_FOUND", `no agent '${agentId}' is registered`, { field: "agentId" });
    // Agents register no scheme: a cluster serving TLS serves it on every role.
    return `${httpScheme(security)}://${agent.info.hostname}:${agent.info.port}`;
  };

  const forward =
    (upstreamPath: string) =>
    async (request: { params: { agentId: string }; url: string }, reply: FastifyReply) => {
      const base = agentUrl(request.params.agentId);
      const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
      return reply.from(proxyTarget(`${base}${upstreamPath}${query}`), {
        onError: (r, { error }) => unavailable(r, `agent ${request.params.agentId}`, error),
      });
    };

  app.get<AgentParams>("/agents/:agentId/state", forward("/state"));
  app.get<AgentParams>(
    "/agents/:agentId/files/browse",
    { preHandler: sandboxAccess(master) },
    forward("/files/browse"),
  );
  app.get<AgentParams>(
    "/agents/:agentId/files/read",
    { preHandler: sandboxAccess(master) },
    forward("/files/read"),
  );
  app.get<AgentParams>("/agents/:agentId/monitor/statistics", forward("/monitor/statistics"));

  const dispatcher = tls ? new UndiciAgent({ connect: tls }) : undefined;
  app.addHook("onClose", async () => dispatcher?.close());
  app.get<AgentParams>("/agents/:agentId/files/download", async (request, reply) => {
    const { path: file } = parseQuery(DownloadQuery, request.query);
    authorize(master, request, "access_sandboxes", [sandboxUser(master.snapshot(), file)]);
    const base = agentUrl(request.params.agentId);
    const read = async (offset: number) => {
      const url = `${base}/files/read?path=${encodeURIComponent(file)}&offset=${offset}&length=${CHUNK}`;
      // The caller's credentials go on to the agent, as reply-from passes them on the other routes.
      const authorization = request.headers.authorization;
      const res = await undiciFetch(url, {
        ...(authorization ? { headers: { authorization } } : {}),
        ...(dispatcher ? { dispatcher } : {}),
      }).catch((cause: unknown) => {
        throw new MasterError("UPSTREAM_UNAVAILABLE", `agent ${request.params.agentId} did not answer`, {
          cause,
        });
      });
      const body: unknown = await res.json();
      if (!res.ok) {
        const message = (body as { message?: string }).message ?? `HTTP ${res.status}`;
        throw Object.assign(new Error(message), { statusCode: res.status });
      }
      return ReadAnswer.parse(body);
    };
    // The first piece before the headers: a missing file is still a clean 404.
    const first = await read(0);
    async function* rest() {
      let piece = first;
      while (piece.data.length > 0) {
        yield Buffer.from(piece.data, "utf8");
        piece = await read(piece.offset + Buffer.byteLength(piece.data, "utf8"));
      }
    }
    return reply
      .header("content-type", "application/octet-stream")
      .header("content-disposition", `attachment; filename="${path.basename(file).replace(/"/g, "")}"`)
      .send(Readable.from(rest()));
  });
}

/** The `access_sandboxes` check of a proxied `/files` request (its `path` query), before it is forwarded. */
function sandboxAccess(master: Master) {
  return async (request: FastifyRequest) => {
    const requested = (request.query as { path?: unknown }).path;
    if (!master.authorization || typeof requested !== "string") return;
    authorize(master, request, "access_sandboxes", [sandboxUser(master.snapshot(), requested)]);
  };
}

/**
 * The OS user whose sandbox a path is in (Mesos' `access_sandboxes` object): agents keep sandboxes at
 * `…/<frameworkId>/<taskId>/` (a framework's own executor at `…/<frameworkId>/executors/<id>/`), so
 * the first segment of the normalized path that names a known framework, and the task after it, tell
 * whose it is: the task's command user, else the framework's. Undefined for a path in no framework's
 * sandbox (the agent itself confines every path to its sandboxes).
 */
export function sandboxUser(view: MasterView, requested: string): string | undefined {
  const segments = path.posix.resolve("/", requested).split("/");
  for (let i = 0; i < segments.length; i++) {
    const id = segments[i] as FrameworkId;
    const framework = view.frameworks.get(id) ?? view.completedFrameworks.find((f) => f.id === id);
    if (!framework) continue;
    const taskId = segments[i + 1] as TaskId;
    const task =
      framework.tasks.get(taskId) ?? framework.completedTasks.find((t) => t.task.taskId === taskId);
    return task?.task.command?.user || task?.task.executor?.command.user || framework.info.user;
  }
  return undefined;
}

/** The part of a reply (reply-from's is typed more loosely than fastify's) that `unavailable` uses. */
interface UpstreamReply {
  code(status: number): { send(body: unknown): unknown };
  log: { warn(obj: object, msg: string): void };
}

/**
 * `target`, checked the way reply-from will read it: it decodes the URL (to refuse `..`) and throws a
 * URIError on a malformed escape such as `?path=%`, which became a 500 (found by the fuzz suite). Such
 * a URL is the client's mistake: a 400.
 */
export function proxyTarget(target: string): string {
  try {
    decodeURIComponent(target);
  } catch {
    throw new MasterError("INVALID_REQUEST", "the URL holds a malformed %-escape", { field: "url" });
  }
  return target;
}

/** Replies 502 `{message}` for an upstream that could not be reached. */
export function unavailable(reply: UpstreamReply, what: string, error: unknown): unknown {
  const err = error as { message?: string; cause?: { message?: string } };
  reply.log.warn({ err: error }, `${what} did not answer`);
  const e = new MasterError(
    "UPSTREAM_UNAVAILABLE",
    `${what} did not answer: ${err.cause?.message ?? err.message ?? "error"}`,
  );
  return reply.code(e.status).send({ message: e.message });
}
