import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HA_MASTER_FLAGS, HaCluster } from "./harness/ha-cluster.js";
import { marathonApi, startMarathonProcess } from "./harness/marathon.js";
import type { Spawned } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface AppJson {
  app: { tasks: { id: string; state: string }[] };
}

/**
 * Marathon across a master failover, as in production: a three-node NATS cluster, three masters on
 * R3 buckets, two agents, `agora marathon` with its state and lease in R3 JetStream KV. The leading
 * master is killed; Marathon's tasks run on and it keeps acting through the new leader.
 */
describe("marathon across a master failover", () => {
  let cluster: HaCluster;
  let marathon: { proc: Spawned; url: string };

  beforeAll(async () => {
    cluster = await HaCluster.start({ masterFlags: HA_MASTER_FLAGS });
    marathon = await startMarathonProcess(cluster.natsUrls(0), { extra: ["--registry-replicas", "3"] });
    await waitFor(
      "Marathon elected and subscribed",
      async () =>
        (await marathonApi<{ frameworkId?: string }>(marathon.url, "GET", "/v2/info")).body.frameworkId,
    );
  });

  afterAll(async () => {
    await marathon?.proc.stop();
    await cluster?.stop();
  });

  const running = async () =>
    (await marathonApi<AppJson>(marathon.url, "GET", "/v2/apps/steady")).body.app.tasks
      .filter((t) => t.state === "TASK_RUNNING")
      .map((t) => t.id)
      .sort();

  it("kill -9 of the leading master: every task keeps running and a scale goes through the new leader", async () => {
    const created = await marathonApi(marathon.url, "POST", "/v2/apps", {
      id: "/steady",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 3,
    });
    expect(created.status).toBe(201);
    await waitFor("3 running", async () => (await running()).length === 3);
    const before = await running();

    const leader = await cluster.leader();
    await cluster.masters[leader]!.proc.stop("SIGKILL");
    const next = await cluster.leader();
    expect(next).not.toBe(leader);
    await waitFor(
      "Marathon's framework back on the new leader with its 3 tasks",
      async () => {
        const state = await cluster.leaderState();
        const fw = state.frameworks.find((f) => f.tasks.some((t) => before.includes(t.id)));
        return fw?.connected && fw.tasks.filter((t) => t.state === "TASK_RUNNING").length === 3;
      },
      { timeoutMs: 60_000 },
    );
    expect(await running()).toEqual(before);

    const scaled = await marathonApi(marathon.url, "PUT", "/v2/apps/steady", { instances: 4 });
    expect(scaled.status).toBe(200);
    await waitFor("4 running", async () => (await running()).length === 4, { timeoutMs: 60_000 });
    expect((await running()).filter((id) => before.includes(id))).toEqual(before);
  });
});
