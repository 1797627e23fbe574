import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devPorts } from "./harness/ports.js";
import { expectNoOrphans, httpJson, type Spawned, spawnAgora } from "./harness/processes.js";
import { EventStreamReader } from "./harness/sse.js";
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

/** `/master/events`, resumed after `lastEventId` when given (as a browser's `Last-Event-ID`). */
const openEvents = (url: string, lastEventId?: string) =>
  new EventStreamReader<unknown>().open(url, lastEventId ? { "last-event-id": lastEventId } : {});

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
    const [port, marathonPort] = await devPorts(1);
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

    const live = await openEvents(`${base}/master/events`);
    const { data } = await live.waitFor("the stream's hello", (e) => e.type === "hello");
    await live.close();
    const hello = (data as { lastEventId: string }).lastEventId;
    const logId = hello.slice(0, hello.lastIndexOf("-"));
    const resumed = await openEvents(`${base}/master/events`, `${logId}-0`);
    const scale = await fetch(`${base}/service/marathon/v2/apps/early`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: 1 }),
    });
    expect(scale.ok).toBe(true);
    const events = await waitFor("the scale-down's TASK_KILLED on the resumed stream", () => {
      const all = resumed.of("message") as WireEvent[];
      return (
        all.some((e) => e.kind === "task" && seq(e.id) > seq(hello) && e.data?.state === "TASK_KILLED") && all
      );
    });
    await resumed.close();
    // Every event from the first on, in order: those before the hello are the history.
    expect(events.map((e) => seq(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => seq(e.id) <= seq(hello))).toEqual(
      expect.arrayContaining(recent.map((e) => expect.objectContaining({ id: e.id, key: e.key }))),
    );
    await fetch(`${base}/service/marathon/v2/apps/early`, { method: "DELETE" });
  });
});
