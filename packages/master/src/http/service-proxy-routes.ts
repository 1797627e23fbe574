import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { type HttpSecurity, upstreamTls } from "@agora/security";
import replyFrom from "@fastify/reply-from";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import type { FrameworkEntryView } from "../view.js";
import { proxyTarget, unavailable } from "./agent-proxy-routes.js";
import { closeOnShutdown } from "./long-lived.js";

type ServiceRequest = FastifyRequest<{ Params: { name: string; "*": string } }>;

/**
 * DC/OS' convention: each framework's API, by the `webuiUrl` it registered, under
 * `/service/<framework name>/…`, every method, bodies and streams (server-sent events included)
 * passed through untouched, so a browser reaches Marathon and Chronos through the master alone.
 * When several frameworks share a name, the connected one registered last wins. A name no
 * framework has (or one without a `webuiUrl`) is a 404; a framework that does not answer, a 502.
 */
export async function serviceProxyRoutes(
  app: FastifyInstance,
  { master, security }: { master: Master; security?: HttpSecurity | undefined },
): Promise<void> {
  await app.register(replyFrom, {
    // Event streams stay open for as long as the browser reads them.
    undici: { headersTimeout: 30_000, bodyTimeout: 0, ...(tlsOf(security) ?? {}) },
    disableRequestLogging: true,
  });
  const track = closeOnShutdown(app);
  // Bodies are streamed through as the browser sent them, whatever their type (this plugin's scope only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  const handler = async (request: ServiceRequest, reply: import("fastify").FastifyReply) => {
    const { name } = request.params;
    const framework = byName(master, name);
    const base = framework?.info.webuiUrl;
    if (!base)
      throw new MasterError("NOT_FOUND", `no framework named '${name}' registered a web UI URL`, {
        field: "name",
      });
    const rest = request.params["*"] ?? "";
    const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
    track(request.raw.socket);
    return reply.from(proxyTarget(`${base.replace(/\/+$/, "")}/${rest}${query}`), {
      onError: (r, { error }) => unavailable(r, `framework '${name}'`, error),
      onResponse: (_request, r, res) => {
        if (!String(r.getHeader("content-type") ?? "").startsWith("text/event-stream"))
          return r.send(res.stream);
        // An event stream's head goes out at once, as the framework sent it: fastify holds it until
        // the first byte, and a stream filtered to events that do not come yet (`/v2/events?event_type=x`)
        // left the browser with no answer at all (found by the fuzz suite).
        r.hijack();
        const raw = r.raw as ServerResponse;
        raw.writeHead(r.statusCode, r.getHeaders() as OutgoingHttpHeaders);
        raw.flushHeaders();
        // Destroying the upstream body when the browser leaves makes undici emit an abort error: with
        // no listener it was thrown and ended the master (every closed UI tab through the proxy).
        res.stream.on("error", (err) => r.log.debug({ err }, "proxied event stream ended"));
        raw.once("close", () => res.stream.destroy());
        res.stream.pipe(raw);
      },
    });
  };

  app.all("/service/:name", async (request: ServiceRequest, reply) =>
    reply.redirect(`/service/${encodeURIComponent(request.params.name)}/`, 307),
  );
  app.all("/service/:name/*", handler);
}

const tlsOf = (security: HttpSecurity | undefined) => {
  const tls = upstreamTls(security);
  return tls ? { connect: tls } : undefined;
};

function byName(master: Master, name: string): FrameworkEntryView | undefined {
  let best: FrameworkEntryView | undefined;
  for (const f of master.snapshot().frameworks.values()) {
    if (f.info.name !== name || !f.info.webuiUrl) continue;
    if (!best || rank(f) > rank(best)) best = f;
  }
  return best;
}

const rank = (f: FrameworkEntryView) => (f.connected ? 1e15 : 0) + (f.reregisteredAt ?? f.registeredAt);
