import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MarathonError } from "../errors.js";
import type { MarathonService } from "../service.js";
import { errorBody } from "./errors.js";

/** Answered by every Marathon itself, leader or not (as Marathon's LeaderProxyFilter does). */
const LOCAL = [/^\/ping\b/, /^\/metrics\b/, /^\/v2\/info\b/, /^\/agora\/info\b/, /^\/v2\/leader\b/];

/** Set on forwarded requests; a standby receiving one would forward in a circle, so it refuses. */
const VIA = "x-marathon-via";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "host",
  "upgrade",
]);

/**
 * A standby (`info().elected` false) proxies every request but the local ones to the leader, as
 * Marathon does: the body streams through unparsed, the answer (also `/v2/events`) streams back with
 * `X-Marathon-Leader`. Without a known leader the answer is 503 `NOT_LEADER`.
 */
export function installLeaderProxy(app: FastifyInstance, service: MarathonService): void {
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
    return forward(request, reply, leader, info.httpPort);
  });
}

async function forward(request: FastifyRequest, reply: FastifyReply, leader: string, ownPort: number) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  headers.set(VIA, `1.1 ${request.hostname || `localhost:${ownPort}`}`);
  const abort = new AbortController();
  // The answer's socket closing means the client left; the request's own "close" fires as soon as
  // its body has been read, which would abort every forwarded write mid-flight.
  reply.raw.on("close", () => abort.abort());
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(`http://${leader}${request.url}`, {
      method: request.method,
      headers,
      signal: abort.signal,
      ...(hasBody ? { body: Readable.toWeb(request.raw) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
  } catch (cause) {
    const err = new MarathonError("NOT_LEADER", `The leader ${leader} did not answer`, { cause });
    return reply.code(err.status).send(errorBody(err));
  }
  // Written by hand rather than `reply.send(stream)`, which holds the headers back until the first
  // chunk: an event stream with a quiet filter would leave its client waiting for them.
  const answer: Record<string, string> = { "x-marathon-leader": `http://${leader}` };
  upstream.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) answer[name] = value;
  });
  reply.hijack();
  const res = reply.raw;
  res.writeHead(upstream.status, answer);
  res.flushHeaders();
  if (upstream.body === null) return res.end();
  const body = Readable.fromWeb(upstream.body as import("node:stream/web").ReadableStream);
  body.on("error", () => res.destroy());
  body.pipe(res);
}
