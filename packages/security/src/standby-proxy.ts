import type { FastifyInstance, FastifyReply } from "fastify";
import { forwardRequest } from "./forward.js";
import { type HttpSecurity, httpScheme, upstreamTls } from "./http-security.js";

export interface StandbyProxyOptions {
  /** Paths every instance answers itself, leader or not (liveness, its own metrics, who leads). */
  local: readonly RegExp[];
  /** Set on forwarded requests: a standby receiving one would forward in a circle, so it refuses. */
  viaHeader: string;
  /** The answer header naming the leader, and its value from the leader's base URL and `host:port`. */
  leaderHeader: { name: string; value: (base: string, leader: string) => string };
  /** Who leads now, as the framework's `info()` tells it: the leader's `host:port` if known. */
  info: () => { elected: boolean; leader: string | undefined; httpPort: number };
  /**
   * Answers a request the standby cannot forward (no leader, a loop, the leader not answering) with
   * `message`, in the framework's own error shape; `cause` is why the leader did not answer.
   */
  refuse: (reply: FastifyReply, message: string, cause: Error | undefined) => unknown;
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
    const info = o.info();
    if (info.elected) return;
    const path = request.url.split("?", 1)[0] ?? "";
    if (o.local.some((p) => p.test(path))) return;
    const leader = info.leader;
    if (leader === undefined || leader === "") {
      return o.refuse(reply, "Could not determine the current leader", undefined);
    }
    if (request.headers[o.viaHeader] !== undefined) {
      return o.refuse(reply, "Detected a proxying loop; no leader answers", undefined);
    }
    const base = `${httpScheme(o.security)}://${leader}`;
    const failed = await forwardRequest(request, reply, {
      target: base,
      ca: upstreamTls(o.security)?.ca,
      requestHeaders: { [o.viaHeader]: `1.1 ${request.hostname || `localhost:${info.httpPort}`}` },
      answerHeaders: { [o.leaderHeader.name]: o.leaderHeader.value(base, leader) },
    });
    if (failed) return o.refuse(reply, `The leader ${leader} did not answer`, failed);
  });
}
