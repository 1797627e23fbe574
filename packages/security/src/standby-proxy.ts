import type { FastifyInstance, FastifyReply } from "fastify";
import { forwardRequest } from "./forward.js";
import { type HttpSecurity, httpScheme, upstreamTls } from "./http-security.js";

/** Why a standby answers a request itself instead of forwarding it. */
export type StandbyRefusal =
  | { reason: "no-leader" }
  | { reason: "loop"; leader: string }
  | { reason: "unreachable"; leader: string; cause: Error };

export interface StandbyProxyOptions {
  /** Paths every instance answers itself, leader or not (liveness, its own metrics, who leads). */
  local: readonly RegExp[];
  /** Set on forwarded requests: a standby receiving one would forward in a circle, so it refuses. */
  viaHeader: string;
  /** The answer header naming the leader, and its value from the leader's base URL and `host:port`. */
  leaderHeader: { name: string; value: (base: string, leader: string) => string };
  /** Who leads now: `leading` when this instance does, else the leader's `host:port` if known. */
  leadership: () => { leading: true } | { leading: false; leader: string | undefined; ownPort: number };
  /** Answers a request the standby cannot forward, in the framework's own error shape. */
  refuse: (reply: FastifyReply, refusal: StandbyRefusal) => unknown;
  security?: HttpSecurity | undefined;
}

/**
 * A standby proxies every request but the local ones to the leader, as Marathon's LeaderProxyFilter
 * and Chronos' RedirectFilter do (a proxy, not a redirect): the body streams through unparsed and the
 * answer (an event stream too) streams back, over https when this instance serves TLS — every
 * instance of a cluster serves the same flags, so the leader speaks https when this one does.
 */
export function installStandbyProxy(app: FastifyInstance, o: StandbyProxyOptions): void {
  app.addHook("onRequest", async (request, reply) => {
    const state = o.leadership();
    if (state.leading) return;
    const path = request.url.split("?", 1)[0] ?? "";
    if (o.local.some((p) => p.test(path))) return;
    const leader = state.leader;
    if (leader === undefined || leader === "") return o.refuse(reply, { reason: "no-leader" });
    if (request.headers[o.viaHeader] !== undefined) return o.refuse(reply, { reason: "loop", leader });
    const base = `${httpScheme(o.security)}://${leader}`;
    const failed = await forwardRequest(request, reply, {
      target: base,
      ca: upstreamTls(o.security)?.ca,
      requestHeaders: { [o.viaHeader]: `1.1 ${request.hostname || `localhost:${state.ownPort}`}` },
      answerHeaders: { [o.leaderHeader.name]: o.leaderHeader.value(base, leader) },
    });
    if (failed) return o.refuse(reply, { reason: "unreachable", leader, cause: failed });
  });
}

/** The message a framework's `NOT_LEADER` error carries for a refusal. */
export function standbyRefusalMessage(refusal: StandbyRefusal): string {
  switch (refusal.reason) {
    case "no-leader":
      return "Could not determine the current leader";
    case "loop":
      return "Detected a proxying loop; no leader answers";
    case "unreachable":
      return `The leader ${refusal.leader} did not answer`;
  }
}
