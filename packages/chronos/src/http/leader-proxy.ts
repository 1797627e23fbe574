import { type HttpSecurity, installStandbyProxy } from "@agora/security";
import type { FastifyInstance } from "fastify";
import { ChronosError } from "../errors.js";
import type { ChronosService } from "../service.js";
import { errorBody } from "./errors.js";

/** Answered by every Chronos itself, leader or not. */
const LOCAL = [/^\/ping\/?$/, /^\/metrics\/?$/, /^\/v1\/scheduler\/leader\/?$/, /^\/scheduler\/leader\/?$/];

/**
 * A standby (`info().elected` false) forwards every request but the local ones to the leader and
 * streams its answer back, as Chronos' `RedirectFilter` does (a proxy, not a redirect), with
 * `X-Chronos-Leader` (the leader's `host:port`). Without a known leader, on a request another standby
 * forwarded already, or when the leader does not answer: 503 `NOT_LEADER`.
 */
export function installLeaderProxy(
  app: FastifyInstance,
  service: ChronosService,
  security?: HttpSecurity | undefined,
): void {
  installStandbyProxy(app, {
    local: LOCAL,
    viaHeader: "x-chronos-via",
    leaderHeader: { name: "x-chronos-leader", value: (_base, leader) => leader },
    info: () => service.info(),
    refuse: (reply, message, cause) => {
      const err = new ChronosError("NOT_LEADER", message, { cause });
      return reply.code(err.status).send(errorBody(err));
    },
    security,
  });
}
