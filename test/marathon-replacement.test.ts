import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MarathonCluster,
  MarathonEventStream,
  marathonApi,
  startMarathonCluster,
} from "./harness/marathon.js";
import { processesUnder } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface AppJson {
  app: {
    tasksRunning: number;
    tasksHealthy: number;
    tasks: { id: string }[];
    lastTaskFailure?: { taskId: string; state: string; message: string };
  };
}

/** Pids under `dir` whose command line is exactly `argv`. */
function pidsRunning(dir: string, argv: string[]): number[] {
  const wanted = `${argv.join("\u0000")}\u0000`;
  return processesUnder(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8") === wanted;
    } catch {
      return false;
    }
  });
}

/**
 * A task whose process is killed is replaced, and each replacement after a failure waits longer
 * (backoffSeconds 1, backoffFactor 2: at least 1 s, 2 s, 4 s from the failure to the next launch).
 */
describe("marathon replaces failed tasks with backoff", () => {
  let cluster: MarathonCluster;
  let events: MarathonEventStream;

  beforeAll(async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }]);
    events = await MarathonEventStream.attach(cluster.marathon.url);
  });

  afterAll(async () => {
    await events?.close();
    await cluster?.stop();
  });

  it("kill -9 of the task's process: replaced each time, the delay before each launch growing", async () => {
    const url = cluster.marathon.url;
    const created = await marathonApi(url, "POST", "/v2/apps", {
      id: "/flaky",
      cmd: "sleep 301",
      cpus: 0.1,
      mem: 16,
      backoffSeconds: 1,
      backoffFactor: 2,
      maxLaunchDelaySeconds: 60,
    });
    expect(created.status).toBe(201);

    const staged = () =>
      events.events.filter((e) => e.type === "instance_changed_event" && e.data.condition === "Staging");
    const gaps: number[] = [];
    for (let round = 1; round <= 3; round++) {
      await waitFor(
        `launch ${round} running`,
        async () => (await marathonApi<AppJson>(url, "GET", "/v2/apps/flaky")).body.app.tasksRunning === 1,
      );
      const [pid] = await waitFor("the task's process", () => {
        const pids = pidsRunning(cluster.dir, ["sleep", "301"]);
        return pids.length === 1 ? pids : undefined;
      });
      const launchesBefore = staged().length;
      process.kill(pid!, "SIGKILL");
      const failures = () => events.events.filter((e) => e.data.taskStatus === "TASK_FAILED");
      await waitFor(`failure ${round} reported`, () => failures().length === round);
      const failed = failures()[round - 1]!;
      await waitFor(`replacement ${round} staged`, () => staged().length > launchesBefore);
      const next = staged()[launchesBefore]!;
      gaps.push(Date.parse(next.data.timestamp) - Date.parse(failed.data.timestamp));
    }
    // Each failure doubles the delay: 1 s, 2 s, 4 s at least, so each wait is longer than the last.
    expect(gaps[0]).toBeGreaterThanOrEqual(950);
    expect(gaps[1]).toBeGreaterThanOrEqual(1950);
    expect(gaps[2]).toBeGreaterThanOrEqual(3950);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);

    await waitFor(
      "the third replacement running",
      async () => (await marathonApi<AppJson>(url, "GET", "/v2/apps/flaky")).body.app.tasksRunning === 1,
    );
    const failure = (await marathonApi<AppJson>(url, "GET", "/v2/apps/flaky")).body.app.lastTaskFailure;
    expect(failure).toMatchObject({ state: "TASK_FAILED" });
  });

  it("a task killed by its failing health check is reported as an unhealthy kill and replaced", async () => {
    const url = cluster.marathon.url;
    const sick = path.join(cluster.dir, "sick");
    const created = await marathonApi(url, "POST", "/v2/apps", {
      id: "/checked",
      cmd: "sleep 302",
      cpus: 0.1,
      mem: 16,
      healthChecks: [
        {
          protocol: "COMMAND",
          command: { value: `test ! -e ${sick}` },
          gracePeriodSeconds: 0,
          intervalSeconds: 1,
          timeoutSeconds: 2,
          delaySeconds: 0,
          maxConsecutiveFailures: 2,
        },
      ],
    });
    expect(created.status).toBe(201);
    const app = async () => (await marathonApi<AppJson>(url, "GET", "/v2/apps/checked")).body.app;
    await waitFor("healthy", async () => (await app()).tasksHealthy === 1);
    const [first] = (await app()).tasks;

    writeFileSync(sick, "");
    const killed = await events.waitFor(
      "unhealthy_instance_kill_event",
      (e) => e.type === "unhealthy_instance_kill_event",
    );
    expect(killed.data.taskId).toBe(first!.id);
    expect(events.of("failed_health_check_event").some((e) => e.taskId === first!.id)).toBe(true);
    rmSync(sick);
    await waitFor("a healthy replacement", async () => {
      const a = await app();
      return a.tasksHealthy === 1 && a.tasks.every((t) => t.id !== first!.id);
    });
    expect((await app()).lastTaskFailure).toMatchObject({ taskId: first!.id });
  });
});

describe("marathon replaces the tasks of an agent out of reach", () => {
  let cluster: MarathonCluster;
  let events: MarathonEventStream;

  beforeAll(async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }, { hostname: "node-b" }], {
      masterFlags: ["--agent-ping-timeout", "300ms", "--max-agent-ping-timeouts", "3"],
    });
    events = await MarathonEventStream.attach(cluster.marathon.url);
  });

  afterAll(async () => {
    for (const a of cluster?.agents ?? []) a.signal("SIGCONT");
    await events?.close();
    await cluster?.stop();
  });

  it("SIGSTOP of the task's agent: UNREACHABLE, replaced on the other agent at once; back again, the old task is killed", async () => {
    const url = cluster.marathon.url;
    const created = await marathonApi(url, "POST", "/v2/apps", {
      id: "/lonely",
      cmd: "sleep 303",
      cpus: 0.1,
      mem: 16,
    });
    expect(created.status).toBe(201);
    const tasks = async () =>
      (
        await marathonApi<{ tasks: { id: string; host: string; state: string }[] }>(
          url,
          "GET",
          "/v2/apps/lonely/tasks",
        )
      ).body.tasks;
    const [first] = await waitFor("running", async () => {
      const t = await tasks();
      return t.length === 1 && t[0]!.state === "TASK_RUNNING" && t;
    });
    const agent = cluster.agents[first!.host === "node-a" ? 0 : 1]!;
    agent.signal("SIGSTOP");
    await events.waitFor(
      "the task UNREACHABLE",
      (e) => e.data.taskId === first!.id && e.data.taskStatus === "TASK_UNREACHABLE",
    );
    const replacement = await waitFor("a replacement RUNNING on the other agent", async () =>
      (await tasks()).find((t) => t.id !== first!.id && t.state === "TASK_RUNNING" && t.host !== first!.host),
    );
    agent.signal("SIGCONT");
    // Expunged while away (expungeAfterSeconds 0), it is a task Marathon does not know: killed.
    await events.waitFor(
      "the old task killed once its agent is back",
      (e) => e.type === "unknown_instance_terminated_event" && e.data.instanceId === first!.id,
    );
    expect((await tasks()).map((t) => t.id)).toEqual([replacement.id]);
    await waitFor(
      "one sleep 303 process left",
      () => pidsRunning(cluster.dir, ["sleep", "303"]).length === 1,
    );
  });
});
