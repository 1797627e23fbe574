import type { FastifyInstance } from "fastify";
import { MarathonError } from "../errors.js";
import type { HttpContext } from "./context.js";

/** `/ping`, `/v2/info` and `/v2/leader` (GET; DELETE abdicates where the service can). */
export async function infoRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  app.get("/ping", async (_request, reply) =>
    reply.type("text/plain").header("Cache-Control", "must-revalidate,no-cache,no-store").send("pong"),
  );

  app.get("/v2/info", async () => {
    const info = service.info();
    return {
      name: info.name,
      version: info.version,
      buildref: "agora",
      elected: info.elected,
      leader: info.leader ?? null,
      frameworkId: info.frameworkId ?? null,
      marathon_config: info.config,
      zookeeper_config: {},
      event_subscriber: null,
      http_config: { http_port: info.httpPort, https_port: 8443 },
    };
  });

  app.get("/v2/leader", async () => {
    const leader = service.info().leader;
    if (leader === undefined) throw new MarathonError("NO_LEADER", "There is no leader");
    return { leader };
  });

  app.delete("/v2/leader", async () => {
    if (!service.info().elected || service.abdicate === undefined)
      throw new MarathonError("NO_LEADER", "There is no leader");
    await service.abdicate();
    return { message: "Leadership abdicated" };
  });
}
