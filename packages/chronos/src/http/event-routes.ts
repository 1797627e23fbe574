import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ChronosEvent } from "../service.js";
import { jobViewer } from "./authorize.js";
import { all, type HttpContext, type Query } from "./context.js";

/**
 * `/v1/events`: the service's job and run events as server-sent events (`event: <type>` and
 * `data: <json>`), optionally only the repeatable `event_type`s asked for, with a comment line every
 * `heartbeatMs` (15 s) so proxies keep an idle stream open. A stream unsubscribes when its client
 * leaves; open streams end when the server closes.
 */
export async function eventRoutes(app: FastifyInstance, options: { ctx: HttpContext }): Promise<void> {
  const { ctx } = options;
  const open = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  app.get("/v1/events", (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const types = new Set(all(request.query, "event_type"));
    const visible = jobViewer(ctx, request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-store",
      Connection: "keep-alive",
    });
    res.flushHeaders();
    open.add(res);
    const unsubscribe = ctx.service.onEvent((event: ChronosEvent) => {
      if (types.size > 0 && !types.has(event.type)) return;
      if (!visible(event.jobName)) return; // a job's events reach only who may view it
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), ctx.heartbeatMs);
    heartbeat.unref();
    res.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    });
  });
}
