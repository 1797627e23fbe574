import { type Authorizer, type HttpSecurity, installHttpSecurity, withTls } from "@agora/security";
import { trackUnusedConnections } from "@agora/transport/internal";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { DEFAULT_JOB_RESOURCES, type JobDefaults } from "../model/job.js";
import type { ChronosService } from "../service.js";
import { chronosAuthorization } from "./authorize.js";
import { chronosRoutes } from "./chronos-routes.js";
import type { HttpContext } from "./context.js";
import { installErrorHandling } from "./errors.js";
import { eventRoutes } from "./event-routes.js";
import { JobText } from "./job-json.js";
import { installLeaderProxy } from "./leader-proxy.js";
import { installMetrics } from "./metrics-routes.js";
import { metronomeRoutes } from "./metronome-routes.js";

export interface ChronosHttpOptions {
  /** Request logs go here (default: none). */
  logger?: Logger;
  /** The clock of the HTTP layer (default: the system clock). */
  now?: () => Date;
  /** The flags that fill a job's zero cpus/mem/disk and empty user in responses (default 0.1 / 128 / 256, root). */
  jobDefaults?: JobDefaults;
  /** Milliseconds between heartbeat comments on `/v1/events` (default 15,000). */
  eventHeartbeatMs?: number;
  /** HTTP authentication, TLS and CORS (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`): `update_jobs` by job name on every write (default: none, all allowed). */
  authorizer?: Authorizer;
}

/**
 * Chronos' HTTP API over a `ChronosService` (fastify, not listening yet: the caller calls `listen`):
 * the Chronos 3 API under `/v1/scheduler` (and Chronos 2's `/scheduler`), Metronome's `/v1/jobs`,
 * the `/v1/events` stream, `/ping` and `/metrics`. A standby forwards to the leader.
 *
 * @example
 * const http = createChronosHttp(runtime, { logger, jobDefaults: { cpus: 0.1, mem: 128, disk: 256, user: "root" } });
 * await http.listen({ port: 4400, host: "0.0.0.0" });
 */
export function createChronosHttp(
  service: ChronosService,
  options: ChronosHttpOptions = {},
): FastifyInstance {
  const base = withTls(options.security, {
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 16 * 1024 * 1024,
  });
  const app = (
    options.logger ? Fastify({ ...base, loggerInstance: options.logger }) : Fastify(base)
  ) as FastifyInstance;
  const closeUnusedConnections = trackUnusedConnections(app.server);
  app.addHook("preClose", async () => closeUnusedConnections());
  const jobDefaults = options.jobDefaults ?? DEFAULT_JOB_RESOURCES;
  const ctx: HttpContext = {
    service,
    now: options.now ?? (() => new Date()),
    jobDefaults,
    jobText: new JobText(jobDefaults),
    heartbeatMs: options.eventHeartbeatMs ?? 15_000,
    acls: options.authorizer && chronosAuthorization(options.authorizer, app.log as Logger),
  };
  installErrorHandling(app);
  installHttpSecurity(app, options.security, { style: "chronos" });
  installLeaderProxy(app, service, options.security);
  acceptAnyBodyAsJson(app);
  installMetrics(app, ctx);
  app.get("/ping", async (_request, reply) => reply.type("text/plain").send("pong"));
  app.register(chronosRoutes, { prefix: "/v1/scheduler", ctx });
  app.register(chronosRoutes, { prefix: "/scheduler", ctx });
  app.register(metronomeRoutes, { ctx });
  app.register(eventRoutes, { ctx });
  return app;
}

/**
 * Chronos clients post JSON without a JSON content type (`curl -d`, scripts), and some send
 * `Content-Type: application/json` with an empty body on PUT and DELETE: read every body as JSON, and
 * an empty one as none.
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
