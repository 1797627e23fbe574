import type { FrameworkId } from "@agora/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Master } from "../master.js";
import { principalOf, viewerOf } from "./authorize.js";
import { ClusterEntityKind, ClusterWatch } from "./cluster-digest.js";
import { type ClusterEvent, EventLog } from "./event-log.js";
import { closeOnShutdown } from "./long-lived.js";
import { parseQuery } from "./query.js";

export interface EventRoutesOptions {
  master: Master;
  /** How often the registry's changes are turned into events (ms, default 1000). */
  pollMs?: number;
  /** How often an idle stream gets a comment line, so proxies keep it open (ms, default 15000). */
  heartbeatMs?: number;
  /** Events kept for `Last-Event-ID` resume (default 10,000). */
  capacity?: number;
}

/** A stream whose reader falls this far behind (bytes buffered) is closed; the reader reconnects and resumes. */
const MAX_BUFFERED = 8 * 1024 * 1024;

const RecentQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** Only these kinds (comma-separated): the overview leaves out offers, which change every cycle. */
  kind: z
    .string()
    .transform((list) => list.split(","))
    .pipe(z.array(ClusterEntityKind))
    .optional(),
});

/**
 * `GET /master/events`: a server-sent event stream of cluster changes (agents, frameworks, tasks,
 * offers, roles, maintenance) for the web UI. The leading master's registry marks what it changes as
 * it changes it; every `pollMs` the marked entities are compared with how they were last reported
 * and each difference is logged with an id, whether anyone listens or not, so a dashboard opened
 * late still finds what happened before it (`GET /master/events/recent` gives the newest events as
 * JSON). A new stream starts with a `hello` event naming the newest id; a reader that (re)connects
 * with `Last-Event-ID` gets every event after it that is still kept, or a `reset` event when it is
 * not (it refetches). A master that stops leading forgets what it reported: an id from before that
 * gets `reset`.
 */
export async function eventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const { master } = options;
  const log = new EventLog(options.capacity ?? 10_000);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const track = closeOnShutdown(app);
  const registry = master.watchRegistry();
  const reported = new ClusterWatch();
  const maintenance = () => ({ schedule: master.maintenanceSchedule(), status: master.maintenanceStatus() });
  if (master.isLeader) reported.baseline(master.snapshot(), maintenance());

  const poll = () => {
    // A standby's registry is what a takeover loads: its changes wait for the leadership they lead to.
    if (!master.isLeader) {
      if (reported.forget()) log.gap();
      return;
    }
    const view = master.snapshot();
    for (const change of reported.changes(view, registry.take(), maintenance)) log.append(change, view.now);
  };
  const timer = setInterval(poll, options.pollMs ?? 1000);
  timer.unref();
  app.addHook("onClose", async () => {
    clearInterval(timer);
    registry.close();
  });

  app.get("/master/events/recent", async (request) => {
    const { limit, kind } = parseQuery(RecentQuery, request.query);
    const shown = eventFilter(master, request);
    // Filtered before the limit counts: the newest `limit` events this reader asked for and may see.
    const wanted = kind ? (e: ClusterEvent) => kind.includes(e.kind) && shown(e) : shown;
    return { lastEventId: log.lastEventId, events: log.recent(limit, wanted).map(wire) };
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
      const f = framework((e.data() as { framework_id: string }).framework_id);
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
    ...(e.data === undefined ? {} : { data: e.data() }),
  };
}

function frame(e: ClusterEvent): string {
  return `id: ${e.eventId}\ndata: ${JSON.stringify(wire(e))}\n\n`;
}
