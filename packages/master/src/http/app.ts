import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Master } from "../master.js";
import { agentRoutes } from "./agent-routes.js";
import { installErrorHandling } from "./errors.js";
import { healthRoutes } from "./health-routes.js";
import { maintenanceRoutes } from "./maintenance-routes.js";
import { metricsRoutes } from "./metrics-routes.js";
import { roleRoutes } from "./role-routes.js";
import { redirectToLeader } from "./standby-redirect.js";
import { stateRoutes } from "./state-routes.js";

export interface MasterHttpOptions {
  /** Request logs go here (default: none). */
  logger?: Logger;
}

/**
 * The master's operator HTTP API (fastify): `/health`, `/master/state` (and `/state`),
 * `/master/state-summary`, `/master/tasks`, `/metrics`, `/metrics/snapshot`, `/weights`, `/maintenance/*`, `/machine/down|up`. A master that
 * does not lead redirects all but `/health` and the metrics to the leader (307). Errors are mapped
 * centrally to `{message, field?}`; bad input is a 4xx, never a 500. Not listening yet: the caller
 * calls `listen`, then `master.start({ httpPort })`.
 *
 * @example
 * const app = buildMasterHttp(master);
 * await app.listen({ port: 5050, host: "127.0.0.1" });
 */
export function buildMasterHttp(master: Master, options: MasterHttpOptions = {}): FastifyInstance {
  const app = (options.logger ? Fastify({ loggerInstance: options.logger }) : Fastify()) as FastifyInstance;
  installErrorHandling(app);
  redirectToLeader(app, master);
  const snapshot = () => master.snapshot();
  app.register(healthRoutes);
  app.register(stateRoutes, { snapshot });
  app.register(metricsRoutes, { snapshot, registry: master.metrics.registry });
  app.register(roleRoutes, { master });
  app.register(agentRoutes, { master });
  app.register(maintenanceRoutes, { master });
  return app;
}
