import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type MarathonCluster,
  marathonApi,
  startMarathonCluster,
  startMarathonProcess,
} from "./harness/marathon.js";
import { httpJson } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface AppJson {
  app: { id: string; instances: number; tasksRunning: number; tasks: { id: string; state: string }[] };
}
interface InfoJson {
  elected: boolean;
  leader: string;
  frameworkId: string;
}
interface MasterState {
  frameworks: { id: string; name: string; active: boolean; tasks: { id: string; state: string }[] }[];
  completed_frameworks?: { tasks: { id: string; state: string }[] }[];
}

const APP = { cmd: "sleep 300", cpus: 0.1, mem: 16, instances: 3 };

/**
 * Marathon's state survives Marathon: a restarted Marathon (file store) and a standby that takes
 * over from a killed leader (JetStream KV, leader election) both keep every app and every task.
 */
describe("marathon restart and failover", () => {
  let cluster: MarathonCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const app = async (url: string, id: string) =>
    (await marathonApi<AppJson>(url, "GET", `/v2/apps${id}`)).body.app;
  const runningIds = async (url: string, id: string) =>
    (await app(url, id)).tasks
      .filter((t) => t.state === "TASK_RUNNING")
      .map((t) => t.id)
      .sort();
  const masterTasks = async (masterUrl: string) => {
    const state = await httpJson<MasterState>(`${masterUrl}/master/state`);
    return state.frameworks.filter((f) => f.name === "marathon").flatMap((f) => f.tasks);
  };

  /** Two Marathon processes with a short lease: `one` is elected before `two` starts. */
  const leaderAndStandby = async (c: MarathonCluster) => {
    const ha = ["--leader-lease", "1secs"];
    const one = await startMarathonProcess(c.nats.url, { extra: ha });
    c.procs.push(one.proc);
    await waitFor(
      "the first Marathon leads",
      async () => (await marathonApi<InfoJson>(one.url, "GET", "/v2/info")).body.elected,
    );
    const two = await startMarathonProcess(c.nats.url, { extra: ha });
    c.procs.push(two.proc);
    return { one, two };
  };

  it("kill -9 of Marathon and a restart on the same state: the apps and their running tasks are kept, none killed, an unfinished deployment resumed", async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }, { hostname: "node-b" }]);
    const first = cluster.marathon;
    expect((await marathonApi(first.url, "POST", "/v2/apps", { id: "/kept", ...APP })).status).toBe(201);
    await waitFor("3 running", async () => (await runningIds(first.url, "/kept")).length === 3);
    const before = await runningIds(first.url, "/kept");
    // A deployment that cannot finish: 3 instances, one per host, on 2 hosts.
    const stuck = await marathonApi<{ deployments: { id: string }[] }>(first.url, "POST", "/v2/apps", {
      id: "/stuck",
      ...APP,
      constraints: [["hostname", "UNIQUE"]],
    });
    await waitFor("2 of /stuck running", async () => (await runningIds(first.url, "/stuck")).length === 2);
    const stuckBefore = await runningIds(first.url, "/stuck");
    const frameworkId = (await marathonApi<InfoJson>(first.url, "GET", "/v2/info")).body.frameworkId;

    await first.proc.stop("SIGKILL");
    const again = await startMarathonProcess(cluster.nats.url, {
      stateDir: path.join(cluster.dir, "marathon"),
      port: first.port,
    });
    cluster.marathon = again;
    await waitFor(
      "the restarted Marathon leads",
      async () =>
        (await marathonApi<InfoJson>(again.url, "GET", "/v2/info")).body.frameworkId === frameworkId,
    );
    await waitFor(
      "the same 3 tasks RUNNING",
      async () => (await runningIds(again.url, "/kept")).join() === before.join(),
    );
    // It resumed the framework instead of registering a new one, and the master never killed a task.
    const tasks = await masterTasks(cluster.masterUrl);
    expect(tasks.map((t) => t.id).sort()).toEqual([...before, ...stuckBefore].sort());
    expect(tasks.every((t) => t.state === "TASK_RUNNING")).toBe(true);
    // The unfinished deployment runs on, still waiting for its third instance.
    const deployments = (await marathonApi<{ id: string }[]>(again.url, "GET", "/v2/deployments")).body;
    expect(deployments.map((d) => d.id)).toEqual([stuck.body.deployments[0]!.id]);
    await waitFor("/stuck's third instance queued again", async () => {
      const queue = (
        await marathonApi<{ queue: { app: { id: string }; count: number }[] }>(again.url, "GET", "/v2/queue")
      ).body.queue;
      return queue.find((q) => q.app.id === "/stuck")?.count === 1;
    });
    expect(await runningIds(again.url, "/stuck")).toEqual(stuckBefore);
    // It still acts: a scale goes through the restarted Marathon.
    const scaled = await marathonApi(again.url, "PUT", "/v2/apps/kept", { instances: 4 });
    expect(scaled.status).toBe(200);
    await waitFor("4 running", async () => (await runningIds(again.url, "/kept")).length === 4);
    expect((await runningIds(again.url, "/kept")).filter((id) => before.includes(id))).toEqual(before);
  });

  it("two Marathons elect one leader; the standby proxies to it and takes over when the leader is killed with every task kept", async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }, { hostname: "node-b" }], {
      marathon: false,
    });
    const { one, two } = await leaderAndStandby(cluster);
    // The standby learns the leader from the lease.
    const leader = await waitFor("the standby knows the leader", async () => {
      const res = await marathonApi<{ leader: string }>(two.url, "GET", "/v2/leader");
      return res.status === 200 && res.body.leader;
    });
    expect(leader).toBe(`127.0.0.1:${one.port}`);
    expect((await marathonApi<InfoJson>(two.url, "GET", "/v2/info")).body.elected).toBe(false);

    // A write to the standby reaches the leader.
    expect((await marathonApi(two.url, "POST", "/v2/apps", { id: "/ha", ...APP })).status).toBe(201);
    await waitFor("3 running", async () => (await runningIds(one.url, "/ha")).length === 3);
    const before = await runningIds(one.url, "/ha");
    // The standby answers from the leader (it proxies).
    expect(await runningIds(two.url, "/ha")).toEqual(before);

    await one.proc.stop("SIGKILL");
    await waitFor(
      "the standby is elected",
      async () => (await marathonApi<InfoJson>(two.url, "GET", "/v2/info")).body.elected,
    );
    await waitFor(
      "the new leader sees the same 3 tasks RUNNING",
      async () => (await runningIds(two.url, "/ha")).join() === before.join(),
    );
    const tasks = await masterTasks(cluster.masterUrl);
    expect(tasks.map((t) => t.id).sort()).toEqual(before);
    expect(tasks.every((t) => t.state === "TASK_RUNNING")).toBe(true);
    expect((await marathonApi<{ leader: string }>(two.url, "GET", "/v2/leader")).body.leader).toBe(
      `127.0.0.1:${two.port}`,
    );
    const scaled = await marathonApi(two.url, "PUT", "/v2/apps/ha", { instances: 2 });
    expect(scaled.status).toBe(200);
    await waitFor(
      "scaled to 2 by the new leader",
      async () => (await runningIds(two.url, "/ha")).length === 2,
    );
  });

  it("DELETE /v2/leader: the leader abdicates and exits, the standby leads on with the app's tasks", async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }], { marathon: false });
    const { one, two } = await leaderAndStandby(cluster);
    expect(
      (await marathonApi(one.url, "POST", "/v2/apps", { id: "/handed", ...APP, instances: 2 })).status,
    ).toBe(201);
    await waitFor("2 running", async () => (await runningIds(one.url, "/handed")).length === 2);
    const before = await runningIds(one.url, "/handed");

    expect((await marathonApi(one.url, "DELETE", "/v2/leader")).status).toBe(200);
    expect(await one.proc.exited()).toBe(0);
    await waitFor(
      "the standby leads",
      async () => (await marathonApi<InfoJson>(two.url, "GET", "/v2/info")).body.elected,
    );
    await waitFor(
      "the same tasks RUNNING under the new leader",
      async () => (await runningIds(two.url, "/handed")).join() === before.join(),
    );
  });
});
