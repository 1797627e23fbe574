import { forwardRequest, type HttpSecurity, httpScheme, upstreamTls } from "@agora/security";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ChronosError } from "../errors.js";
import type { ChronosService } from "../service.js";
import { errorBody } from "./errors.js";

/** Answered by every Chronos itself, leader or not. */
const LOCAL = [/^\/ping\/?$/, /^\/metrics\/?$/, /^\/v1\/scheduler\/leader\/?$/, /^\/scheduler\/leader\/?$/];

/** Set on forwarded requests; a standby receiving one would forward in a circle, so it refuses. */
const VIA = "x-chronos-via";

/**
 * A standby (`info().elected` false) forwards every request but the local ones to the leader and
 * streams its answer back, as Chronos' `RedirectFilter` does (a proxy, not a redirect): the body goes
 * through unparsed, the answer (also `/v1/events`) comes back as it is made, with `X-Chronos-Leader`,
 * over https when this Chronos serves TLS (trusting the system's CAs and its own certificate). Without a known leader, or on a request another standby forwarded already, the answer is 503
 * `NOT_LEADER`.
 */
export function installLeaderProxy(
  app: FastifyInstance,
  service: ChronosService,
  security?: HttpSecurity | undefined,
): void {
  app.addHook("onRequest", async (request, reply) => {
    const info = service.info();
    if (info.elected) return;
    const path = request.url.split("?")[0] ?? "";
    if (LOCAL.some((p) => p.test(path))) return;
    const leader = info.leader;
    if (leader === undefined || leader === "" || request.headers[VIA] !== undefined) {
      const err = new ChronosError(
        "NOT_LEADER",
        leader === undefined || leader === ""
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
  // Every Chronos of a cluster serves the same flags: the leader speaks https when this one does.
  const failed = await forwardRequest(request, reply, {
    target: `${httpScheme(security)}://${leader}`,
    ca: upstreamTls(security)?.ca,
    requestHeaders: { [VIA]: `1.1 ${request.hostname || `localhost:${ownPort}`}` },
    answerHeaders: { "x-chronos-leader": leader },
  });
  if (failed) {
    const err = new ChronosError("NOT_LEADER", `The leader ${leader} did not answer`, { cause: failed });
    return reply.code(err.status).send(errorBody(err));
  }
}
