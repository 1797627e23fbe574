import type { FrameworkId } from "@agora/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Master } from "../master.js";
import { principalOf, viewerOf } from "./authorize.js";
import { type ClusterDigest, clusterDigest, diffDigests } from "./cluster-digest.js";
import { type ClusterEvent, EventLog } from "./event-log.js";
import { closeOnShutdown } from "./long-lived.js";
import { parseQuery } from "./query.js";

export interface EventRoutesOptions {
  master: Master;
  /** How often the registry is compared with its previous look (ms, default 1000). */
  pollMs?: number;
  /** How often an idle stream gets a comment line, so proxies keep it open (ms, default 15000). */
  heartbeatMs?: number;
  /** Events kept for `Last-Event-ID` resume (default 10,000). */
  capacity?: number;
}

/**
 * How long the registry is still compared after the last stream closed or the last `/recent`
 * request: a reader reconnecting within it resumes without a gap.
 */
const LINGER_MS = 60_000;

/** A stream whose reader falls this far behind (bytes buffered) is closed; the reader reconnects and resumes. */
const MAX_BUFFERED = 8 * 1024 * 1024;

const RecentQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

/**
 * `GET /master/events`: a server-sent event stream of cluster changes (agents, frameworks, tasks,
 * offers, roles, maintenance) for the web UI. The leading master compares its registry with the
 * previous look every `pollMs` and logs each difference with an id; a reader that reconnects with
 * `Last-Event-ID` gets what it missed, or a `reset` event when that is no longer kept (it refetches).
 * A new stream starts with a `hello` event naming the newest id. `GET /master/events/recent` gives
 * the newest events as JSON. The registry is compared only while someone listens (a stream is open,
 * or one closed or `/recent` was asked less than a minute ago): a digest of 10,000 agents every
 * second took 13–23 % of a master's CPU with no dashboard open. A reader resuming from an id older
 * than such a pause gets `reset`.
 */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const { master } = options;
  const log = new EventLog(options.capacity ?? 10_000);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const track = closeOnShutdown(app);
  let previous: ClusterDigest | undefined;
  let streams = 0;
  let lingerUntil = 0;

  const poll = () => {
    if (!master.isLeader || (streams === 0 && Date.now() > lingerUntil)) {
      if (previous) log.gap();
      previous = undefined;
      return;
    }
    const view = master.snapshot();
    const next = clusterDigest(view, {
      schedule: master.maintenanceSchedule(),
      status: master.maintenanceStatus(),
    });
    if (previous) for (const change of diffDigests(previous, next)) log.append(change, view.now);
    previous = next;
  };
  const timer = setInterval(poll, options.pollMs ?? 1000);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
  /** Someone listens from now on: compare from a fresh look if nobody did until now. */
  const listening = () => {
    lingerUntil = Date.now() + LINGER_MS;
    if (!previous) poll();
  };

  app.get("/master/events/recent", async (request) => {
    const { limit } = parseQuery(RecentQuery, request.query);
    listening();
    const shown = eventFilter(master, request);
    return { lastEventId: log.lastEventId, events: log.recent(limit).filter(shown).map(wire) };
  });

  app.get("/master/events", (request, reply) => {
    const header = request.headers["last-event-id"];
    const lastEventId = Array.isArray(header) ? header[0] : header;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // A HEAD has its head and no stream: node sends no head for a write without a body, so it waited
    // forever (found by the fuzz suite).
    if (request.method === "HEAD") return void res.end();
    track(request.raw.socket);
    streams += 1;
    listening();
    const shown = eventFilter(master, request);
    const send = (chunk: string) => {
      if (res.destroyed) return;
      res.write(chunk);
      if (res.writableLength > MAX_BUFFERED) res.destroy();
    };
    send("retry: 2000\n\n");
    if (lastEventId === undefined) {
      send(
        `event: hello\ndata: ${JSON.stringify({ lastEventId: log.lastEventId, masterId: master.id })}\n\n`,
      );
    } else {
      const resume = log.since(lastEventId);
      if (resume.kind === "reset")
        send(
          `id: ${log.lastEventId}\nevent: reset\ndata: ${JSON.stringify({ lastEventId: log.lastEventId })}\n\n`,
        );
      else for (const e of resume.events) if (shown(e)) send(frame(e));
    }
    const unlisten = log.listen((e) => {
      if (shown(e)) send(frame(e));
    });
    const heartbeat = setInterval(() => send(": heartbeat\n\n"), heartbeatMs);
    res.once("close", () => {
      streams -= 1;
      lingerUntil = Date.now() + LINGER_MS;
      unlisten();
      clearInterval(heartbeat);
    });
  });
}

/**
 * Which events the request's principal may see: those of a framework (its tasks, its offers) only as
 * `view_frameworks` and `view_tasks` allow by the framework's user, looked up when the event is sent;
 * the rest (agents, roles, maintenance) as they are. Everything without ACLs.
 */
function eventFilter(master: Master, request: FastifyRequest): (e: ClusterEvent) => boolean {
  const authz = master.authorization;
  if (!authz) return () => true;
  const viewer = viewerOf(authz, principalOf(request));
  const framework = (id: string) => {
    const view = master.snapshot();
    return view.frameworks.get(id as FrameworkId) ?? view.completedFrameworks.find((f) => f.id === id);
  };
  return (e) => {
    if (e.kind === "framework") {
      const f = framework(e.id);
      return f !== undefined && viewer.framework(f);
    }
    if (e.kind === "task") {
      const f = framework(e.id.slice(0, e.id.indexOf("/")));
      return f !== undefined && viewer.framework(f) && viewer.tasks(f);
    }
    if (e.kind === "offer" && e.data !== undefined) {
      const f = framework((e.data as { framework_id: string }).framework_id);
      return f !== undefined && viewer.framework(f);
    }
    return true;
  };
}

function wire(e: ClusterEvent) {
  return {
    id: e.eventId,
    at: e.at,
    kind: e.kind,
    op: e.op,
    key: e.id,
    ...(e.data === undefined ? {} : { data: e.data }),
  };
}

function frame(e: ClusterEvent): string {
  return `id: ${e.eventId}\ndata: ${JSON.stringify(wire(e))}\n\n`;
}
