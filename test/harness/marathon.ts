import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnAgent, startMaster } from "./cluster.js";
import { type NatsServerHandle, startNatsServer } from "./nats-server.js";
import { freePort } from "./ports.js";
import { expectNoOrphans, type Spawned, spawnAgora } from "./processes.js";
import { EventStreamReader, type StreamedEvent as SseEvent } from "./sse.js";
import { waitFor } from "./wait.js";

/** Starts `agora marathon` on loopback at a free port and waits until it answers `/ping`. */
export function startMarathonProcess(
  natsUrl: string,
  o: { stateDir?: string; extra?: string[]; port?: number } = {},
): Promise<{ proc: Spawned; url: string; port: number }> {
  return startFrameworkProcess("marathon", natsUrl, o);
}

/**
 * Starts `agora <command>` (a framework process: marathon, chronos) on loopback at a free port, with
 * `--state-dir` when given, and waits until it answers `/ping`.
 */
export async function startFrameworkProcess(
  command: string,
  natsUrl: string,
  o: { stateDir?: string; extra?: string[]; port?: number } = {},
): Promise<{ proc: Spawned; url: string; port: number }> {
  const port = o.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnAgora([
    command,
    "--nats",
    natsUrl,
    "--host",
    "127.0.0.1",
    "--hostname",
    "127.0.0.1",
    "--http-port",
    String(port),
    ...(o.stateDir ? ["--state-dir", o.stateDir] : []),
    ...(o.extra ?? []),
  ]);
  await waitFor(`${command} on ${port} answers /ping`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`agora ${command} exited: ${proc.stderr()}`);
    return (await fetch(`${url}/ping`).catch(() => undefined))?.ok ?? false;
  });
  return { proc, url, port };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** One call to Marathon's REST API with a JSON body (or raw text when `body` is a string). */
export async function marathonApi<T = unknown>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** The fields of Marathon's events the tests read (each event has some of them). */
export interface EventData {
  eventType: string;
  timestamp: string;
  taskId?: string;
  taskStatus?: string;
  appId?: string;
  alive?: boolean;
  /** `instance_changed_event`: Marathon's condition (Staging, Running, Killed, …). */
  condition?: string;
  id?: string;
  instanceId?: string;
  version?: string;
  plan?: { id: string };
}

/** An event from `/v2/events`: its `event:` type and parsed `data:`. */
export type StreamedEvent = SseEvent<EventData>;

/** Marathon's SSE stream `/v2/events`, attached once Marathon said `event_stream_attached`. */
export class MarathonEventStream extends EventStreamReader<EventData> {
  static async attach(url: string): Promise<MarathonEventStream> {
    const stream = await new MarathonEventStream().open(`${url}/v2/events`);
    await waitFor("event_stream_attached", () =>
      stream.events.some((e) => e.type === "event_stream_attached"),
    );
    return stream;
  }
}

export interface MarathonCluster {
  nats: NatsServerHandle;
  masterUrl: string;
  /** The Marathon of the cluster (with `--state-dir`), started by `startMarathonCluster`. */
  marathon: { proc: Spawned; url: string; port: number };
  dir: string;
  agents: Spawned[];
  /** Extra processes the test started, stopped (before the agents) by `stop`. */
  procs: Spawned[];
  stop(): Promise<void>;
}

/**
 * A real cluster for Marathon's acceptance tests: nats-server (JetStream), `agora master`, one
 * `agora agent` per spec (each with its own hostname and attributes), and `agora marathon` with a
 * file store under the test's temp dir. `stop` ends Marathon first, then the agents with their
 * tasks, and fails when a task process outlived them.
 */
export async function startMarathonCluster(
  agents: { hostname: string; attributes?: string; resources?: string }[],
  o: { marathon?: boolean; masterFlags?: string[] } = {},
): Promise<MarathonCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-marathon-"));
  const nats = await startNatsServer({ jetstream: true });
  const master = await startMaster(nats.url, ["--allocation-interval", "200ms", ...(o.masterFlags ?? [])]);
  const agentProcs: Spawned[] = [];
  for (const a of agents)
    agentProcs.push(
      spawnAgent(nats.url, {
        workDir: path.join(dir, a.hostname),
        port: await freePort(),
        resources: a.resources ?? "cpus:4;mem:4096;disk:1024;ports:[31000-31999]",
        hostname: a.hostname,
        ...(a.attributes ? { attributes: a.attributes } : {}),
      }),
    );
  await waitFor(`${agents.length} agents registered`, async () => {
    const state = (await (await fetch(`${master.url}/master/state`)).json()) as { slaves: unknown[] };
    return state.slaves.length === agents.length;
  });
  const marathon =
    o.marathon === false
      ? { proc: master.proc, url: "", port: 0 }
      : await startMarathonProcess(nats.url, { stateDir: path.join(dir, "marathon") });
  const cluster: MarathonCluster = {
    nats,
    masterUrl: master.url,
    marathon,
    dir,
    agents: agentProcs,
    procs: [],
    async stop() {
      for (const p of cluster.procs.reverse()) await p.stop();
      if (o.marathon !== false) await cluster.marathon.proc.stop();
      for (const a of agentProcs) await a.stop();
      await master.proc.stop();
      try {
        await expectNoOrphans(dir);
      } finally {
        await nats.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}
