import { afterEach, describe, expect, it } from "vitest";
import { chronosApi, chronosJob, startChronosProcess, waitForSuccesses } from "./harness/chronos.js";
import { type MarathonCluster, startMarathonCluster } from "./harness/marathon.js";
import { waitFor } from "./harness/wait.js";

interface StatJson {
  taskStatHistory: { taskId: string; startTime: string; status: string }[];
}

/** The schedule slot (epoch ms) of each first attempt in a job's task history, oldest first. */
async function slotsRun(url: string, name: string): Promise<number[]> {
  const stat = await chronosApi<StatJson>(url, "GET", `/v1/scheduler/job/stat/${name}`);
  return stat.body.taskStatHistory
    .map((t) => t.taskId.split(":"))
    .filter((parts) => parts[2] === "0")
    .map((parts) => Number(parts[1]))
    .sort((a, b) => a - b);
}

/**
 * Chronos as separate processes over NATS: a master, an agent running real shell tasks, and two
 * `agora chronos` with their state in JetStream KV electing a leader. The standby forwards the API;
 * when the leader is killed with SIGKILL the standby takes over with every job, its history and
 * which parents have succeeded, and no schedule slot ever runs twice.
 */
describe("Chronos over NATS: two instances, one leads", () => {
  let cluster: MarathonCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("runs jobs on time, and after kill -9 of the leader the standby carries on without running a slot twice", async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }], { marathon: false });
    const ha = ["--leader-lease", "1secs", "--failure-retry", "500ms", "--mesos-task-mem", "32"];
    const one = await startChronosProcess(cluster.nats.url, { extra: ha });
    cluster.procs.push(one.proc);
    const leaderOf = async (url: string) =>
      (await chronosApi<{ leader: string }>(url, "GET", "/v1/scheduler/leader")).body.leader;
    await waitFor(
      "the first Chronos leads",
      async () => (await leaderOf(one.url)) === `127.0.0.1:${one.port}`,
    );
    const two = await startChronosProcess(cluster.nats.url, { extra: ha });
    cluster.procs.push(two.proc);
    await waitFor(
      "the standby knows the leader",
      async () => (await leaderOf(two.url)) === `127.0.0.1:${one.port}`,
    );

    // Everything goes through the standby, which forwards to the leader.
    const api = (method: string, path: string, body?: unknown) => chronosApi(two.url, method, path, body);
    const start = new Date(Date.now() + 1_500).toISOString();
    expect(
      (
        await api("POST", "/v1/scheduler/iso8601", {
          name: "tick",
          command: "true",
          schedule: `R/${start}/PT2S`,
        })
      ).status,
    ).toBe(204);
    const far = "R/2099-01-01T00:00:00Z/P1D";
    for (const name of ["pa", "pb"])
      expect(
        (await api("POST", "/v1/scheduler/iso8601", { name, command: "true", schedule: far })).status,
      ).toBe(204);
    const child = { name: "child", command: "true", parents: ["pa", "pb"] };
    expect((await api("POST", "/v1/scheduler/dependency", child)).status).toBe(204);
    expect((await api("PUT", "/v1/scheduler/job/pa")).status).toBe(204);
    await waitForSuccesses(two.url, "pa", 1);
    await waitForSuccesses(two.url, "tick", 2);

    // On time: each run started within 2 s of its slot (a bound that holds on a loaded CI machine;
    // the start jitter itself is measured by the chronos benchmark).
    const stat = await chronosApi<StatJson>(two.url, "GET", "/v1/scheduler/job/stat/tick");
    for (const t of stat.body.taskStatHistory)
      expect(Date.parse(t.startTime) - Number(t.taskId.split(":")[1])).toBeLessThan(2_000);

    const before = (await chronosJob(two.url, "tick")).successCount;
    expect(await one.proc.stop("SIGKILL")).toBe(137);
    await waitFor("the standby leads", async () => (await leaderOf(two.url)) === `127.0.0.1:${two.port}`, {
      timeoutMs: 30_000,
    });
    await waitForSuccesses(two.url, "tick", before + 3, 30_000);

    const slots = await slotsRun(two.url, "tick");
    expect(new Set(slots).size, `slots ${slots.join(",")}`).toBe(slots.length);
    for (const s of slots) expect((s - Date.parse(start)) % 2_000).toBe(0);

    // The new leader knows pa succeeded: pb's success alone now fires the child.
    expect((await chronosJob(two.url, "pa")).successCount).toBe(1);
    expect((await chronosJob(two.url, "child")).successCount).toBe(0);
    expect((await api("PUT", "/v1/scheduler/job/pb")).status).toBe(204);
    await waitForSuccesses(two.url, "child", 1);
    expect((await slotsRun(two.url, "pa")).length).toBe(1);
  });
});
