import { type HttpSecurity, installStandbyProxy } from "@agora/security";
import type { FastifyInstance } from "fastify";
import { MarathonError } from "../errors.js";
import type { MarathonService } from "../service.js";
import { errorBody } from "./errors.js";

/** Answered by every Marathon itself, leader or not (as Marathon's LeaderProxyFilter does). */
const LOCAL = [/^\/ping\b/, /^\/metrics\b/, /^\/v2\/info\b/, /^\/agora\/info\b/, /^\/v2\/leader\b/];

/**
 * A standby (`info().elected` false) proxies every request but the local ones to the leader, as
 * Marathon does, its answer carrying `X-Marathon-Leader` (the leader's URL). Without a known leader,
 * on a loop or when the leader does not answer: 503 `NOT_LEADER`.
 */
export function installLeaderProxy(
  app: FastifyInstance,
  service: MarathonService,
  security?: HttpSecurity | undefined,
): void {
  installStandbyProxy(app, {
    local: LOCAL,
    viaHeader: "x-marathon-via",
    leaderHeader: { name: "x-marathon-leader", value: (base) => base },
    info: () => service.info(),
    refuse: (reply, message, cause) => {
      const err = new MarathonError("NOT_LEADER", message, { cause });
      return reply.code(err.status).send(errorBody(err));
    },
    security,
  });
}
