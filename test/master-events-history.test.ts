import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, freePortRun } from "./harness/ports.js";
import { expectNoOrphans, httpJson, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface WireEvent {
  id: string;
  kind: string;
  op: string;
  key: string;
  data?: { state?: string; name?: string };
}

interface MesosState {
  frameworks: { name: string; tasks: { id: string; state: string }[] }[];
}

const seq = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

/**
 * Opens `/master/events` (from `lastEventId` when given) and collects its frames until `until` holds:
 * the `hello` one's `lastEventId`, and the events.
 */
async function readStream(url: string, until: (events: WireEvent[]) => boolean, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: WireEvent[] = [];
  let hello: string | undefined;
  let buffer = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
        if (!data) continue;
        if (lines.includes("event: hello")) hello = (JSON.parse(data) as { lastEventId: string }).lastEventId;
        else if (!lines.some((l) => l.startsWith("event: "))) events.push(JSON.parse(data) as WireEvent);
      }
      if (until(events) && (lastEventId || hello)) break;
    }
  } finally {
    abort.abort();
  }
  return { hello, events };
}

/**
 * A real `agora dev` (master, agent, Marathon) runs an app's tasks before anyone asks the master for
 * its events; then the Overview's first request (`/master/events/recent`) and a stream resumed from the
 * log's first id both show what happened, and the stream goes on with what happens next.
 */
describe("the master's event log in agora dev, read only after tasks ran", () => {
  let dir: string;
  let dev: Spawned;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-events-"));
    const port = await freePortRun(2); // the agent takes the master's port + 1
    const marathonPort = await freePort();
    dev = spawnAgora(
      ["dev", "--port", String(port), "--data-dir", dir, "--agents", "1"].concat([
        "--marathon-port",
        String(marathonPort),
        "--chronos-port",
        "off",
      ]),
      { AGORA_LOG_LEVEL: "warn" },
    );
    base = `http://127.0.0.1:${port}`;
    await waitFor("Marathon through the master", async () => {
      const res = await fetch(`${base}/service/marathon/v2/info`).catch(() => undefined);
      return res?.ok && ((await res.json()) as { frameworkId?: string }).frameworkId;
    });
  });

  afterAll(async () => {
    if (dev) {
      const code = await dev.stop("SIGTERM", 30_000);
      expect(code, dev.stderr().slice(-4000)).toBe(0);
    }
    if (dir) {
      await expectNoOrphans(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows the agent, Marathon and its running tasks to a reader that comes later, then live changes", async () => {
    const created = await fetch(`${base}/service/marathon/v2/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "/early", cmd: "sleep 600", cpus: 0.1, mem: 16, instances: 2 }),
    });
    expect(created.status).toBe(201);
    const running = await waitFor("the app's two tasks running (from /master/state)", async () => {
      const state = await httpJson<MesosState>(`${base}/master/state`);
      const tasks = state.frameworks.find((f) => f.name === "marathon")?.tasks ?? [];
      const ids = tasks.filter((t) => t.state === "TASK_RUNNING").map((t) => t.id);
      return ids.length === 2 && ids;
    });
    // The master looks at its registry's changes every second: the last of them is in the log
    // once /master/events/recent shows it (its first request: nothing before made it record).
    const recent = await waitFor("the running tasks in /master/events/recent", async () => {
      const { events } = await httpJson<{ events: WireEvent[] }>(`${base}/master/events/recent?limit=1000`);
      const runningKeys = events.filter((e) => e.kind === "task" && e.data?.state === "TASK_RUNNING");
      return running.every((id) => runningKeys.some((e) => e.key.endsWith(`/${id}`))) && events;
    });
    expect(recent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "agent", op: "added" }),
        expect.objectContaining({
          kind: "framework",
          op: "added",
          data: expect.objectContaining({ name: "marathon" }),
        }),
      ]),
    );

    const { hello } = await readStream(`${base}/master/events`, () => true);
    const logId = hello!.slice(0, hello!.lastIndexOf("-"));
    const scaled = (events: WireEvent[]) =>
      events.some((e) => e.kind === "task" && seq(e.id) > seq(hello!) && e.data?.state === "TASK_KILLED");
    const resumed = readStream(`${base}/master/events`, scaled, `${logId}-0`);
    const scale = await fetch(`${base}/service/marathon/v2/apps/early`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: 1 }),
    });
    expect(scale.ok).toBe(true);
    const { events } = await resumed;
    // Every event from the first on, in order: those before the hello are the history.
    expect(events.map((e) => seq(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => seq(e.id) <= seq(hello!))).toEqual(
      expect.arrayContaining(recent.map((e) => expect.objectContaining({ id: e.id, key: e.key }))),
    );
    await fetch(`${base}/service/marathon/v2/apps/early`, { method: "DELETE" });
  });
});
