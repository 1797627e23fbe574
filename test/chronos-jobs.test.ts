import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ChronosEvent, type RunningChronos, startChronos } from "@agora/chronos";
import { type DevCluster, startDevCluster } from "@agora/cli";
import { FileStateStore } from "@agora/transport";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chronosApi, chronosJob, waitForSuccesses } from "./harness/chronos.js";
import { expectNoOrphans } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

const silent = pino({ level: "silent" });

interface StatJson {
  histogram: { count: number; median: number };
  taskStatHistory: {
    taskId: string;
    jobName: string;
    slaveId: string;
    startTime: string;
    endTime: string;
    status: string;
  }[];
}

/**
 * Chronos through its real HTTP API in dev mode: a master and two agents running real shell tasks
 * on the in-process bus, and Chronos with a file store it can be restarted on.
 */
describe("Chronos jobs on a real cluster (dev mode)", () => {
  let dir: string;
  let dev: DevCluster;
  let chronos: RunningChronos;
  let store: FileStateStore;
  let url: string;
  const events: ChronosEvent[] = [];

  async function startOurChronos(): Promise<void> {
    store = await FileStateStore.open(path.join(dir, "chronos"));
    chronos = await startChronos({
      bus: dev.bus,
      store,
      cluster: "chronostest",
      host: "127.0.0.1",
      hostname: "127.0.0.1",
      port: 0,
      failureRetryMs: 300,
      disableAfterFailures: 2,
      jobDefaults: { cpus: 0.1, mem: 32, disk: 0.1, user: os.userInfo().username },
      logger: silent,
    });
    url = chronos.url;
    chronos.runtime.onEvent((e) => events.push(e));
    await waitFor("chronos subscribed", () => chronos.runtime.info().frameworkId !== undefined);
  }

  async function stopOurChronos(): Promise<void> {
    await chronos.close();
    await store.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-chronos-"));
    dev = await startDevCluster({
      port: 0,
      host: "127.0.0.1",
      agents: 2,
      dataDir: dir,
      cluster: "chronostest",
      agentResources: "cpus:4;mem:2048;disk:1024;ports:[31000-31999]",
      logger: silent,
      timing: { allocationIntervalMs: 100 },
    });
    await startOurChronos();
  });

  afterAll(async () => {
    await stopOurChronos();
    await dev?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
  const scheduled = (name: string, schedule: string, extra: Record<string, unknown> = {}) =>
    chronosApi(url, "POST", "/v1/scheduler/iso8601", { name, command: "true", schedule, ...extra });

  it("runs a job every 2 s on time", async () => {
    expect((await scheduled("every2s", `R/${soon(500)}/PT2S`)).status).toBe(204);
    await waitForSuccesses(url, "every2s", 3);
    const created = events.filter((e) => e.jobName === "every2s" && e.type === "run_created");
    const slots = created.map((e) => Date.parse(e.run!.scheduledAt!));
    // Every run is for a distinct slot on the 2 s grid (a slot that comes while the last run is
    // still waiting collapses into it), and each was created within 2 s of its slot (a bound that
    // holds on a loaded CI machine; the start jitter itself is measured by the chronos benchmark).
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect((slot - slots[0]!) % 2000).toBe(0);
    for (const e of created)
      expect(Date.parse(e.timestamp) - Date.parse(e.run!.scheduledAt!)).toBeLessThan(2_000);
    expect((await chronosApi(url, "DELETE", "/v1/scheduler/job/every2s")).status).toBe(204);
  });

  it("runs a child of two parents only once both have succeeded", async () => {
    const far = "R/2099-01-01T00:00:00Z/P1D";
    expect((await scheduled("parent-a", far)).status).toBe(204);
    expect((await scheduled("parent-b", far)).status).toBe(204);
    const child = { name: "child", command: "true", parents: ["parent-a", "parent-b"] };
    expect((await chronosApi(url, "POST", "/v1/scheduler/dependency", child)).status).toBe(204);

    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/parent-a")).status).toBe(204);
    await waitForSuccesses(url, "parent-a", 1);
    // parent-a done, parent-b not: the child waits (and its waiting survives, see the restart test).
    expect(chronos.runtime.job("child")?.parentsDone).toEqual(["parent-a"]);
    expect((await chronosJob(url, "child")).successCount).toBe(0);

    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/parent-b")).status).toBe(204);
    await waitForSuccesses(url, "child", 1);
    const childRuns = chronos.runtime.history("child");
    expect(childRuns.map((r) => r.trigger)).toEqual(["dependency"]);
    expect(chronos.runtime.job("child")?.parentsDone).toEqual([]);
  });

  it("retries a failing job `retries` times, then counts one error", async () => {
    const body = { name: "failing", command: "exit 3", retries: 2, schedule: "R/2099-01-01T00:00:00Z/P1D" };
    expect((await chronosApi(url, "POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/failing")).status).toBe(204);
    const job = await waitFor("failing to count an error", async () => {
      const j = await chronosJob(url, "failing");
      return j.errorCount > 0 ? j : undefined;
    });
    expect(job).toMatchObject({ errorCount: 1, successCount: 0, errorsSinceLastSuccess: 1 });
    expect(job.lastError).not.toBe("");
    const [run] = chronos.runtime.history("failing");
    expect(run?.status).toBe("FAILED");
    expect(run?.attempts.map((a) => [a.attempt, a.state, a.exitCode])).toEqual([
      [0, "TASK_FAILED", 3],
      [1, "TASK_FAILED", 3],
      [2, "TASK_FAILED", 3],
    ]);
    const stat = await chronosApi<StatJson>(url, "GET", "/v1/scheduler/job/stat/failing");
    expect(stat.body.taskStatHistory).toHaveLength(3);
    expect(stat.body.taskStatHistory[0]?.taskId.split(":")[3]).toBe("failing");
  });

  it("never starts a second run of a FORBID job that overruns its interval", async () => {
    const body = {
      name: "overrun",
      command: "sleep 2.5",
      schedule: `R/${soon(200)}/PT1S`,
      concurrent: false,
    };
    expect((await chronosApi(url, "POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    await waitForSuccesses(url, "overrun", 2, 30_000);
    await chronosApi(url, "DELETE", "/v1/scheduler/job/overrun");
    const runs = events.filter((e) => e.jobName === "overrun" && e.run);
    const started = runs.filter((e) => e.type === "run_started").map((e) => e.run!);
    const ended = new Map(
      runs.filter((e) => e.type === "run_succeeded").map((e) => [e.run!.id, Date.parse(e.timestamp)]),
    );
    // Each run started only after the one before it ended: never two at once.
    for (let i = 1; i < started.length; i++) {
      const previousEnd = ended.get(started[i - 1]!.id);
      const start = Date.parse(started[i]!.attempts[0]!.startedAt!);
      if (previousEnd !== undefined) expect(start).toBeGreaterThanOrEqual(previousEnd);
    }
    // Slots every second while each run takes 2.5 s: the missed slots collapsed into one waiting run.
    expect(started.length).toBeLessThanOrEqual(3);
  });

  it("kills a run that overruns maxCompletionTime and fails it without retries", async () => {
    const body = {
      name: "slow",
      command: "sleep 60",
      maxCompletionTime: 1,
      retries: 2,
      schedule: "R/2099-01-01T00:00:00Z/P1D",
    };
    expect((await chronosApi(url, "POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/slow")).status).toBe(204);
    const job = await waitFor("slow to fail", async () => {
      const j = await chronosJob(url, "slow");
      return j.errorCount > 0 ? j : undefined;
    });
    expect(job.errorCount).toBe(1);
    const [run] = chronos.runtime.history("slow");
    expect(run?.attempts).toHaveLength(1);
    expect(run?.attempts[0]?.state).toBe("TASK_KILLED");
    expect(run?.message).toContain("maxCompletionTime");
    const took = Date.parse(run!.finishedAt!) - Date.parse(run!.attempts[0]!.startedAt!);
    expect(took).toBeLessThan(15_000);
  });

  it("refuses bad job JSON with 400 naming the field, and stores nothing", async () => {
    const cases: [string, string, unknown, string][] = [
      [
        "/v1/scheduler/iso8601",
        "name with spaces",
        { name: "bad name", command: "true", schedule: "R//PT1M" },
        "name",
      ],
      [
        "/v1/scheduler/iso8601",
        "bad schedule",
        { name: "bad1", command: "true", schedule: "every minute" },
        "schedule",
      ],
      [
        "/v1/scheduler/iso8601",
        "bad zone",
        { name: "bad2", command: "true", schedule: "R//PT1M", scheduleTimeZone: "Moon/Base" },
        "scheduleTimeZone",
      ],
      [
        "/v1/scheduler/dependency",
        "unknown parent",
        { name: "bad3", command: "true", parents: ["ghost"] },
        "parents",
      ],
      [
        "/v1/scheduler/dependency",
        "self parent",
        { name: "bad4", command: "true", parents: ["bad4"] },
        "parents",
      ],
    ];
    for (const [route, what, body, field] of cases) {
      const r = await chronosApi<{ message: string }>(url, "POST", route, body);
      expect(r.status, what).toBe(400);
      expect(JSON.stringify(r.body), what).toContain(field);
    }
    // A cycle: a → b exists, and a may not become b's child.
    await chronosApi(url, "POST", "/v1/scheduler/dependency", {
      name: "cyc-b",
      command: "true",
      parents: ["parent-a"],
    });
    const cycle = await chronosApi(url, "POST", "/v1/scheduler/dependency", {
      name: "parent-a",
      command: "true",
      parents: ["cyc-b"],
    });
    expect(cycle.status).toBe(400);
    const names = (await chronosApi<{ name: string }[]>(url, "GET", "/v1/scheduler/jobs")).body.map(
      (j) => j.name,
    );
    for (const n of ["bad name", "bad1", "bad2", "bad3", "bad4"]) expect(names).not.toContain(n);
    expect((await chronosJob(url, "parent-a")).schedule).toBeDefined();
  });

  it("keeps jobs, parent state and history across a restart, and runs a missed slot once", async () => {
    // child waits for parent-b again after parent-a's next success.
    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/parent-a")).status).toBe(204);
    await waitForSuccesses(url, "parent-a", 2);
    await waitFor("child to note parent-a", () =>
      chronos.runtime.job("child")?.parentsDone.includes("parent-a"),
    );
    const before = (await chronosApi<{ name: string }[]>(url, "GET", "/v1/scheduler/jobs")).body.map(
      (j) => j.name,
    );
    const failingHistory = chronos.runtime.history("failing").map((r) => r.id);
    const slot = soon(800);
    expect((await scheduled("hourly", `R/${slot}/PT1H`)).status).toBe(204);

    await stopOurChronos();
    // Chronos is down when hourly's slot passes.
    await new Promise((r) => setTimeout(r, 1_500));
    events.length = 0;
    await startOurChronos();
    const after = (await chronosApi<{ name: string }[]>(url, "GET", "/v1/scheduler/jobs")).body.map(
      (j) => j.name,
    );
    expect(after).toEqual([...before, "hourly"].sort());
    expect(chronos.runtime.job("child")?.parentsDone).toEqual(["parent-a"]);
    expect(chronos.runtime.history("failing").map((r) => r.id)).toEqual(failingHistory);
    expect((await chronosJob(url, "failing")).errorCount).toBe(1);

    await waitForSuccesses(url, "hourly", 1);
    // Its one run is for the slot missed while Chronos was down (the run may have been created
    // before this test's event listener was attached again, so the history says it).
    const runs = [...chronos.runtime.history("hourly"), ...chronos.runtime.activeRuns("hourly")];
    expect(runs.map((r) => r.scheduledAt)).toEqual([new Date(slot).toISOString()]);
    // The schedule moved to the next hour, one repetition later.
    const job = await chronosJob(url, "hourly");
    expect(Date.parse(job.schedule!.split("/")[1]!)).toBeGreaterThan(Date.now() + 3_000_000);

    // A start three periods in the past collapses into one catch-up run.
    const past = new Date(Date.now() - 3.5 * 3_600_000).toISOString();
    expect((await scheduled("catchup", `R/${past}/PT1H`)).status).toBe(204);
    await waitForSuccesses(url, "catchup", 1);
    await new Promise((r) => setTimeout(r, 300));
    expect([...chronos.runtime.history("catchup"), ...chronos.runtime.activeRuns("catchup")]).toHaveLength(1);
  });

  it("disables a job after --disable-after-failures failures since its last success", async () => {
    expect((await chronosJob(url, "failing")).disabled).toBe(false);
    expect((await chronosApi(url, "PUT", "/v1/scheduler/job/failing")).status).toBe(204);
    const job = await waitFor("failing to be disabled", async () => {
      const j = await chronosJob(url, "failing");
      return j.disabled ? j : undefined;
    });
    expect(job).toMatchObject({ errorCount: 2, errorsSinceLastSuccess: 2 });
  });
});
