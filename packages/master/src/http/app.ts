import { type HttpSecurity, installHttpSecurity, withTls } from "@agora/security";
import { trackUnusedConnections } from "@agora/transport/internal";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Master } from "../master.js";
import { agentProxyRoutes } from "./agent-proxy-routes.js";
import { agentRoutes } from "./agent-routes.js";
import { visibleView } from "./authorize.js";
import { installErrorHandling } from "./errors.js";
import { eventRoutes } from "./event-routes.js";
import { healthRoutes } from "./health-routes.js";
import { maintenanceRoutes } from "./maintenance-routes.js";
import { mesosOperatorRoutes } from "./mesos-operator-routes.js";
import { mesosSchedulerRoutes } from "./mesos-scheduler-routes.js";
import { metricsRoutes } from "./metrics-routes.js";
import { roleRoutes } from "./role-routes.js";
import { serviceProxyRoutes } from "./service-proxy-routes.js";
import { redirectToLeader } from "./standby-redirect.js";
import { stateRoutes } from "./state-routes.js";
import { teardownRoutes } from "./teardown-routes.js";
import { usageRoutes } from "./usage-routes.js";
import { webuiRoutes } from "./webui-routes.js";

export interface MasterHttpOptions {
  /** Request logs go here (default: none). */
  logger?: Logger;
  /** The built web UI served under `/ui/` (default: `packages/webui/dist`). */
  webuiDir?: string;
  /** Timings of the UI's live data (defaults: events every 1 s, heartbeats 15 s, usage every 10 s). */
  live?: { eventPollMs?: number; heartbeatMs?: number; usageIntervalMs?: number };
  /** HTTP authentication, TLS and CORS (default: none, as dev mode); the master also serves `/login`. */
  security?: HttpSecurity;
}

/**
 * The master's operator HTTP API (fastify): `/health`, `/master/state` (and `/state`),
 * `/master/state-summary`, `/master/tasks`, `/metrics`, `/metrics/snapshot`, `/weights`, `/maintenance/*`,
 * `/machine/down|up`; for the web UI: `/master/events` (SSE), `/master/usage`, the proxies
 * `/agents/:agentId/files/*` and `/service/<framework>/…`, and the UI itself under `/ui/`. A master that
 * does not lead redirects all but `/health` and the metrics to the leader (307). Errors are mapped
 * centrally to `{message, field?}`; bad input is a 4xx, never a 500. Not listening yet: the caller
 * calls `listen`, then `master.start({ httpPort })`.
 *
 * @example
 * const app = buildMasterHttp(master);
 * await app.listen({ port: 5050, host: "127.0.0.1" });
 */
export function buildMasterHttp(master: Master, options: MasterHttpOptions = {}): FastifyInstance {
  const base = withTls(options.security, {});
  const app = (
    options.logger ? Fastify({ ...base, loggerInstance: options.logger }) : Fastify(base)
  ) as FastifyInstance;
  const closeUnusedConnections = trackUnusedConnections(app.server);
  app.addHook("preClose", async () => closeUnusedConnections());
  installErrorHandling(app);
  installHttpSecurity(app, options.security, { style: "mesos", login: true });
  redirectToLeader(app, master);
  const snapshot = () => master.snapshot();
  app.register(healthRoutes);
  app.register(stateRoutes, {
    snapshot: (request) => visibleView(master, request),
    rendered: (seconds) => master.metrics.stateRendered(seconds),
  });
  app.register(metricsRoutes, {
    snapshot,
    registry: master.metrics.registry,
    authorization: master.authorization,
  });
  app.register(roleRoutes, { master });
  app.register(agentRoutes, { master });
  app.register(maintenanceRoutes, { master });
  app.register(mesosSchedulerRoutes, { master });
  app.register(mesosOperatorRoutes, { master });
  app.register(teardownRoutes, { master });
  const live = options.live ?? {};
  app.register(eventRoutes, {
    master,
    ...(live.eventPollMs === undefined ? {} : { pollMs: live.eventPollMs }),
    ...(live.heartbeatMs === undefined ? {} : { heartbeatMs: live.heartbeatMs }),
  });
  app.register(usageRoutes, {
    master,
    ...(live.usageIntervalMs === undefined ? {} : { intervalMs: live.usageIntervalMs }),
  });
  app.register(agentProxyRoutes, { master, security: options.security });
  app.register(serviceProxyRoutes, { master, security: options.security });
  app.register(webuiRoutes, options.webuiDir === undefined ? {} : { dir: options.webuiDir });
  return app;
}
