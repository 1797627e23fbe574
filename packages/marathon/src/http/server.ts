import {
  type Authorizer,
  countedAuthorization,
  type HttpSecurity,
  installHttpSecurity,
  withTls,
} from "@agora/security";
import { trackUnusedConnections } from "@agora/transport/internal";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { MarathonService } from "../service.js";
import { appRoutes } from "./app-routes.js";
import { EventHub, type HttpContext, versionClock } from "./context.js";
import { deploymentRoutes } from "./deployment-routes.js";
import { installErrorHandling } from "./errors.js";
import { eventRoutes } from "./event-routes.js";
import { groupRoutes } from "./group-routes.js";
import { infoRoutes } from "./info-routes.js";
import { installLeaderProxy } from "./leader-proxy.js";
import { installMetrics } from "./metrics-routes.js";
import { taskRoutes } from "./task-routes.js";

export interface MarathonHttpOptions {
  /** Request logs go here (default: none). */
  logger?: Logger;
  /** The clock versions and queue delays are read from (default: the system clock). */
  now?: () => Date;
  /** HTTP authentication, TLS and CORS (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`): `update_apps` by app id on every write (default: none, all allowed). */
  authorizer?: Authorizer;
}

/**
 * Marathon's REST v2 API over a `MarathonService` (fastify, not listening yet: the caller calls
 * `listen`). Every write builds a new target root group with the pure operations of
 * `model/group-ops.ts` and hands it to `service.deploy`; errors answer in Marathon's shapes (422
 * `Object is not valid` with `details`, 409 with the locking `deployments`, …).
 *
 * @example
 * const http = createMarathonHttp(runtime, { logger });
 * await http.listen({ port: 8080, host: "127.0.0.1" });
 */
export function createMarathonHttp(
  service: MarathonService,
  options: MarathonHttpOptions = {},
): FastifyInstance {
  // Group bodies with hundreds of apps outgrow fastify's 1 MiB default.
  const base = withTls(options.security, {
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 16 * 1024 * 1024,
  });
  const app = (
    options.logger ? Fastify({ ...base, loggerInstance: options.logger }) : Fastify(base)
  ) as FastifyInstance;
  const now = options.now ?? (() => new Date());
  const ctx: HttpContext = {
    service,
    now,
    nextVersion: versionClock(now, () => service.root().version),
    events: new EventHub(service),
  };
  app.addHook("onClose", async () => ctx.events.close());
  const closeUnusedConnections = trackUnusedConnections(app.server);
  app.addHook("preClose", async () => closeUnusedConnections());
  installErrorHandling(app);
  installHttpSecurity(app, options.security, { style: "marathon" });
  installLeaderProxy(app, service, options.security);
  acceptAnyBodyAsJson(app);
  const registry = installMetrics(app, ctx);
  if (options.authorizer)
    ctx.authorization = countedAuthorization(options.authorizer, app.log as Logger, registry);
  app.register(appRoutes, ctx);
  app.register(groupRoutes, ctx);
  app.register(taskRoutes, ctx);
  app.register(deploymentRoutes, ctx);
  app.register(eventRoutes, ctx);
  app.register(infoRoutes, ctx);
  return app;
}

/**
 * Marathon clients often post JSON without a JSON content type (`curl -d`, `fetch` with a string),
 * and some send `Content-Type: application/json` with an empty body on every DELETE
 * (marathon-python): read every body as JSON, and an empty one as none.
 */
function acceptAnyBodyAsJson(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      const err = e as Error & { statusCode?: number; code?: string };
      err.statusCode = 400;
      err.code = "FST_ERR_CTP_INVALID_JSON_BODY";
      done(err, undefined);
    }
  });
}
