import http from "node:http";
import https from "node:https";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Headers of one connection, never passed on by a proxy (RFC 9110 §7.6.1), nor its `Host`. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

export interface ForwardOptions {
  /** Where to: `http://host:port` or `https://host:port`; the request's own path and query follow. */
  target: string;
  /** The CAs an `https` target is verified by (`upstreamTls(security)?.ca`); the system's when undefined. */
  ca?: readonly string[] | undefined;
  /** Added to the forwarded request's headers (e.g. a `Via` that lets the target refuse a loop). */
  requestHeaders?: Record<string, string>;
  /** Added to the answer's headers (e.g. Marathon's `X-Marathon-Leader`). */
  answerHeaders?: Record<string, string>;
}

/**
 * Forwards a request to `target` over http or https: its body streams through unparsed, and the answer
 * (an event stream too) streams back as it comes, its head sent at once (a quiet event stream would
 * otherwise leave its client waiting for it). Resolves once the answer's head is written, or with the
 * error when the target could not be reached: nothing was answered then, the caller answers.
 *
 * @example
 * const failed = await forwardRequest(request, reply, { target: "https://10.0.0.2:8080", ca: upstreamTls(security)?.ca });
 * if (failed) return reply.code(503).send({ message: "The leader did not answer" });
 */
export function forwardRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  o: ForwardOptions,
): Promise<Error | undefined> {
  const target = new URL(o.target);
  const secure = target.protocol === "https:";
  const headers: http.OutgoingHttpHeaders = { ...passed(request.headers), ...o.requestHeaders };
  return new Promise((resolve) => {
    const upstream = (secure ? https : http).request(
      {
        protocol: target.protocol,
        hostname: target.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: target.port,
        // The path as the client sent it, never re-parsed: `//x` stays a path, not another host.
        path: request.url,
        method: request.method,
        headers,
        ...(secure && o.ca ? { ca: [...o.ca] } : {}),
      },
      (answer) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(answer.statusCode ?? 502, { ...passed(answer.headers), ...o.answerHeaders });
        res.flushHeaders();
        answer.on("error", () => res.destroy());
        answer.pipe(res);
        resolve(undefined);
      },
    );
    upstream.on("error", (err) => {
      if (reply.raw.headersSent) reply.raw.destroy();
      else resolve(err);
    });
    // The answer's socket closing means the client left (or the answer is complete); the request's own
    // "close" fires as soon as its body has been read, which would abort every forwarded write.
    reply.raw.on("close", () => upstream.destroy());
    if (request.method === "GET" || request.method === "HEAD") upstream.end();
    else request.raw.pipe(upstream);
  });
}

function passed(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}
