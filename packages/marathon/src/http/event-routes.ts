import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MarathonEvent } from "../events.js";
import { appViewer, eventFor } from "./authorize.js";
import type { HttpContext } from "./context.js";
import { eventJson } from "./event-json.js";
import { all, type Query } from "./request.js";

/**
 * `/v2/events`: Marathon's event stream as server-sent events (`event: <eventType>` and
 * `data: <json>` per event), filtered by repeatable `event_type`. Attaching and detaching a stream
 * are events too (`event_stream_attached`/`detached`), seen by every stream including the new one,
 * which tells a client its stream is live. Open streams end when the server closes.
 */
export async function eventRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const open = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  app.get("/v2/events", (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const types = new Set(all(request.query, "event_type"));
    const viewer = appViewer(ctx, request);
    const remoteAddress = request.ip;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-store",
      Connection: "keep-alive",
    });
    res.flushHeaders();
    open.add(res);
    const send = (published: MarathonEvent) => {
      if (types.size > 0 && !types.has(published.eventType)) return;
      const event = ctx.authorization ? eventFor(published, viewer, ctx.service.root()) : published;
      if (!event) return;
      res.write(`event: ${event.eventType}\ndata: ${JSON.stringify(eventJson(event))}\n\n`);
    };
    const unsubscribe = ctx.events.subscribe(send);
    ctx.events.publish({
      eventType: "event_stream_attached",
      remoteAddress,
      timestamp: ctx.now().toISOString(),
    });
    res.on("close", () => {
      open.delete(res);
      unsubscribe();
      ctx.events.publish({
        eventType: "event_stream_detached",
        remoteAddress,
        timestamp: ctx.now().toISOString(),
      });
    });
  });
}
