import { forwardRequest, type HttpSecurity, httpScheme, upstreamTls } from "@agora/security";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MarathonError } from "../errors.js";
import type { MarathonService } from "../service.js";
import { errorBody } from "./errors.js";

/** Answered by every Marathon itself, leader or not (as Marathon's LeaderProxyFilter does). */
const LOCAL = [/^\/ping\b/, /^\/metrics\b/, /^\/v2\/info\b/, /^\/agora\/info\b/, /^\/v2\/leader\b/];

/** Set on forwarded requests; a standby receiving one would forward in a circle, so it refuses. */
const VIA = "x-marathon-via";

/**
 * A standby (`info().elected` false) proxies every request but the local ones to the leader, as
 * Marathon does: the body streams through unparsed, the answer (also `/v2/events`) streams back with
 * `X-Marathon-Leader`, over https when this Marathon serves TLS (trusting the system's CAs and its own
 * certificate). Without a known leader the answer is 503 `NOT_LEADER`.
 */
export function installLeaderProxy(
  app: FastifyInstance,
  service: MarathonService,
  security?: HttpSecurity | undefined,
): void {
  app.addHook("onRequest", async (request, reply) => {
    const info = service.info();
    if (info.elected) return;
    const path = request.url.split("?")[0] ?? "";
    if (LOCAL.some((p) => p.test(path))) return;
    const leader = info.leader;
    if (leader === undefined || request.headers[VIA] !== undefined) {
      const err = new MarathonError(
        "NOT_LEADER",
        leader === undefined
          ? "Could not determine the current leader"
          : "Detected a proxying loop; no leader answers",
      );
      return reply.code(err.status).send(errorBody(err));
    }
    return forward(request, reply, leader, info.httpPort, security);
  });
}

async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  leader: string,
  ownPort: number,
  security: HttpSecurity | undefined,
) {
  // Every Marathon of a cluster serves the same flags: the leader speaks https when this one does.
  const base = `${httpScheme(security)}://${leader}`;
  const failed = await forwardRequest(request, reply, {
    target: base,
    ca: upstreamTls(security)?.ca,
    requestHeaders: { [VIA]: `1.1 ${request.hostname || `localhost:${ownPort}`}` },
    answerHeaders: { "x-marathon-leader": base },
  });
  if (failed) {
    const err = new MarathonError("NOT_LEADER", `The leader ${leader} did not answer`, { cause: failed });
    return reply.code(err.status).send(errorBody(err));
  }
}
