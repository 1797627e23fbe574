import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chronosApi, chronosJob, startChronosProcess, waitForSuccesses } from "./harness/chronos.js";
import { type MarathonCluster, startMarathonCluster } from "./harness/marathon.js";
import type { Spawned } from "./harness/processes.js";
import { EventStreamReader } from "./harness/sse.js";
import { waitFor } from "./harness/wait.js";

/** What Chronos' `/v1/events` sends: the job, and the run (with its attempts) for run events. */
interface ChronosEventJson {
  type: string;
  timestamp: string;
  jobName: string;
  run?: {
    id: string;
    trigger: string;
    scheduledAt?: string;
    message?: string;
    attempts: { attempt: number; state?: string; exitCode?: number; startedAt?: string }[];
  };
}

/**
 * Chronos as its own process (`agora chronos --state-dir`) beside `agora master` and `agora agent`
 * processes on a real nats-server, driven only through its HTTP API and its event stream: retries,
 * FORBID, manual runs, maxCompletionTime, and a kill -9 and restart on the same state.
 */
describe("Chronos over NATS, as separate processes", () => {
  let cluster: MarathonCluster;
  let chronos: { proc: Spawned; url: string };
  let events: EventStreamReader<ChronosEventJson>;
  const flags = ["--failure-retry", "300ms", "--mesos-task-mem", "32"];

  const start = async () => {
    chronos = await startChronosProcess(cluster.nats.url, {
      stateDir: path.join(cluster.dir, "chronos"),
      extra: flags,
    });
    cluster.procs.push(chronos.proc);
    events = await new EventStreamReader<ChronosEventJson>().open(`${chronos.url}/v1/events`);
  };
  const api = (method: string, p: string, body?: unknown) => chronosApi(chronos.url, method, p, body);
  const far = "R/2099-01-01T00:00:00Z/P1D";
  const runEvents = (job: string, type: string) =>
    events.events.filter((e) => e.type === type && e.data.jobName === job).map((e) => e.data);

  beforeAll(async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }], { marathon: false });
    await start();
    await waitFor("chronos registered", async () => {
      const state = (await (await fetch(`${cluster.masterUrl}/master/state`)).json()) as {
        frameworks: { name: string }[];
      };
      return state.frameworks.some((f) => f.name === "chronos");
    });
  });

  afterAll(async () => {
    await events?.close();
    await cluster?.stop();
  });

  it("retries a failing job, then records the error with every attempt's exit code", async () => {
    const body = { name: "failing", command: "exit 3", retries: 2, schedule: far };
    expect((await api("POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    expect((await api("PUT", "/v1/scheduler/job/failing")).status).toBe(204);
    const failed = await events.waitFor(
      "failing's run fails",
      (e) => e.type === "run_failed" && e.data.jobName === "failing",
    );
    expect(failed.data.run?.trigger).toBe("manual");
    expect(failed.data.run?.attempts.map((a) => [a.attempt, a.state, a.exitCode])).toEqual([
      [0, "TASK_FAILED", 3],
      [1, "TASK_FAILED", 3],
      [2, "TASK_FAILED", 3],
    ]);
    expect(runEvents("failing", "run_retry")).toHaveLength(2);
    expect(await chronosJob(chronos.url, "failing")).toMatchObject({
      errorCount: 1,
      errorsSinceLastSuccess: 1,
    });
  });

  it("holds a FORBID job's next run until the running one ends", async () => {
    const soon = new Date(Date.now() + 300).toISOString();
    const body = { name: "overrun", command: "sleep 2", schedule: `R/${soon}/PT1S` };
    expect((await api("POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    await waitForSuccesses(chronos.url, "overrun", 2);
    expect((await api("DELETE", "/v1/scheduler/job/overrun")).status).toBe(204);
    const started = runEvents("overrun", "run_started").map((e) => e.run!);
    const ended = new Map(
      runEvents("overrun", "run_succeeded").map((e) => [e.run!.id, Date.parse(e.timestamp)]),
    );
    expect(started.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < started.length; i++) {
      const previousEnd = ended.get(started[i - 1]!.id);
      expect(previousEnd, `run ${i - 1} ended before run ${i} started`).toBeDefined();
      expect(Date.parse(started[i]!.attempts[0]!.startedAt!)).toBeGreaterThanOrEqual(previousEnd!);
    }
  });

  it("kills a run past maxCompletionTime and fails it without a retry", async () => {
    const body = { name: "slow", command: "sleep 60", maxCompletionTime: 1, schedule: far };
    expect((await api("POST", "/v1/scheduler/iso8601", body)).status).toBe(204);
    expect((await api("PUT", "/v1/scheduler/job/slow")).status).toBe(204);
    const failed = await events.waitFor(
      "slow fails",
      (e) => e.type === "run_failed" && e.data.jobName === "slow",
    );
    expect(failed.data.run?.attempts.map((a) => a.state)).toEqual(["TASK_KILLED"]);
    expect(failed.data.run?.message).toContain("maxCompletionTime");
  });

  it("after kill -9 and a restart on the same state: jobs, counts and parent state kept, the missed slot run once", async () => {
    for (const name of ["pa", "pb"])
      expect(
        (await api("POST", "/v1/scheduler/iso8601", { name, command: "true", schedule: far })).status,
      ).toBe(204);
    expect(
      (
        await api("POST", "/v1/scheduler/dependency", {
          name: "child",
          command: "true",
          parents: ["pa", "pb"],
        })
      ).status,
    ).toBe(204);
    expect((await api("PUT", "/v1/scheduler/job/pa")).status).toBe(204);
    await waitForSuccesses(chronos.url, "pa", 1);
    const slot = new Date(Date.now() + 1_000).toISOString();
    expect(
      (
        await api("POST", "/v1/scheduler/iso8601", {
          name: "hourly",
          command: "true",
          schedule: `R/${slot}/PT1H`,
        })
      ).status,
    ).toBe(204);
    const jobsBefore = (await api("GET", "/v1/scheduler/jobs")).body as { name: string }[];

    await events.close();
    expect(await chronos.proc.stop("SIGKILL")).toBe(137);
    await new Promise((r) => setTimeout(r, 1_500)); // hourly's slot passes while Chronos is down
    await start();

    const jobsAfter = (await api("GET", "/v1/scheduler/jobs")).body as { name: string }[];
    expect(jobsAfter.map((j) => j.name)).toEqual(jobsBefore.map((j) => j.name));
    expect(await chronosJob(chronos.url, "failing")).toMatchObject({ errorCount: 1 });
    await waitForSuccesses(chronos.url, "hourly", 1);
    const stat = await chronosApi<{ taskStatHistory: { taskId: string }[] }>(
      chronos.url,
      "GET",
      "/v1/scheduler/job/stat/hourly",
    );
    expect(stat.body.taskStatHistory.map((t) => Number(t.taskId.split(":")[1]))).toEqual([Date.parse(slot)]);

    // pa's success from before the kill still counts: pb alone now fires the child.
    expect((await chronosJob(chronos.url, "child")).successCount).toBe(0);
    expect((await api("PUT", "/v1/scheduler/job/pb")).status).toBe(204);
    const done = await waitForSuccesses(chronos.url, "child", 1);
    expect(done.successCount).toBe(1);
  });
});
