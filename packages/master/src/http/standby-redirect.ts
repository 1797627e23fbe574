import type { FastifyInstance } from "fastify";
import type { Master } from "../master.js";

/** Paths every master answers itself, leading or not: liveness and its own metrics. */
const LOCAL_PATHS = new Set(["/health", "/master/health", "/metrics", "/metrics/snapshot"]);

/**
 * On a master that does not lead, every other request is redirected (307, method and body kept)
 * to the same path on the leader, as a Mesos standby does; 503 while no leader is known.
 */
export function redirectToLeader(app: FastifyInstance, master: Master): void {
  app.addHook("onRequest", async (request, reply) => {
    if (master.isLeader) return;
    const path = request.url.split("?", 1)[0]!;
    if (LOCAL_PATHS.has(path)) return;
    const leader = master.leader();
    if (leader === undefined || leader.id === master.id) {
      return reply
        .code(503)
        .header("retry-after", "1")
        .send({ message: "no master leads right now; retry shortly" });
    }
    return reply.code(307).header("location", `${leader.address}${request.url}`).send();
  });
}
