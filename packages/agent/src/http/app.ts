import {
  type Authorizer,
  countedAuthorization,
  type HttpSecurity,
  installHttpSecurity,
  isSecurityError,
  securityErrorCodes,
  withTls,
} from "@agora/security";
import { trackUnusedConnections } from "@agora/transport/internal";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { Registry } from "prom-client";
import type { AgentView } from "../agent-view.js";
import { isAgentError } from "../errors.js";
import { visibleAgent } from "./authorize.js";
import { filesRoutes } from "./files-routes.js";
import { mesosExecutorRoutes } from "./mesos-executor-routes.js";
import { mesosOperatorRoutes } from "./mesos-operator-routes.js";
import { monitorRoutes } from "./monitor-routes.js";
import { agentStateJson } from "./state-json.js";

/** What every error answer looks like: a message, and the request field it is about when known. */
export interface ErrorBody {
  message: string;
  field?: string;
}

const errnoStatus: Record<string, number> = {
  ENOENT: 404,
  ENOTDIR: 404,
  EACCES: 403,
  EPERM: 403,
  EISDIR: 400,
};

function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (isAgentError(err)) {
    return { status: err.status, body: { message: err.message, ...(err.field ? { field: err.field } : {}) } };
  }
  // A refusal by the ACLs (access_sandboxes): 403 naming the action, logged and counted where decided.
  if (isSecurityError(err))
    return { status: securityErrorCodes[err.code].status, body: { message: err.message } };
  const code = (err as NodeJS.ErrnoException).code;
  if (code && errnoStatus[code])
    return { status: errnoStatus[code], body: { message: (err as Error).message } };
  const status = (err as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { status, body: { message: (err as Error).message } };
  return { status: 500, body: { message: "internal error" } };
}

/**
 * The agent's HTTP API (Mesos agent-like): `GET /health`, `GET /state`, `GET /files/browse`,
 * `GET /files/read`, `GET /monitor/statistics`, `GET /metrics` (Prometheus), and Mesos' v1 APIs:
 * `POST /api/v1` (agent operator calls) and `POST /api/v1/executor` (frameworks' own executors).
 * Bad input is a 4xx `{message, field}` (plain text with Mesos' messages on the v1 APIs). With an
 * `authorizer` (`--acls`), sandbox files are served only to principals allowed `access_sandboxes`,
 * `/monitor/statistics` and `/metrics` only to those allowed `get_endpoints` on them, and `/state`
 * shows what `view_frameworks`, `view_tasks`, `view_executors` and `view_flags` allow.
 *
 * @example
 * const app = buildAgentHttp(agent);
 * const address = await app.listen({ host: "127.0.0.1", port: 5051 });
 */
export function buildAgentHttp(
  agent: AgentView,
  options: { logger?: Logger; security?: HttpSecurity; authorizer?: Authorizer } = {},
): FastifyInstance {
  const logger = options.logger ?? pino({ level: "silent" });
  const app = Fastify(withTls(options.security, { loggerInstance: logger as FastifyBaseLogger }));
  const closeUnusedConnections = trackUnusedConnections(app.server);
  app.addHook("preClose", async () => closeUnusedConnections());

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorReply(err);
    if (status >= 500) request.log.error({ err }, "request failed");
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ message: `no route ${request.method} ${request.url}` } satisfies ErrorBody),
  );
  installHttpSecurity(app, options.security, { style: "mesos" });

  const registry = new Registry();
  const authorization = options.authorizer && countedAuthorization(options.authorizer, logger, registry);
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/state", async (request) =>
    agentStateJson(visibleAgent(agent, authorization, request.principal), {
      flags: authorization?.visible("view_flags", request.principal, undefined) ?? true,
    }),
  );
  app.register(filesRoutes, { agent, authorization });
  app.register(monitorRoutes, { agent, registry, authorization });
  app.register(mesosOperatorRoutes, { agent, authorization });
  if (agent.customExecutors) app.register(mesosExecutorRoutes, { executors: agent.customExecutors });
  return app;
}
