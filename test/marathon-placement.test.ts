import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MarathonCluster, marathonApi, startMarathonCluster } from "./harness/marathon.js";
import { waitFor } from "./harness/wait.js";

interface TasksJson {
  tasks: { id: string; host: string; state: string }[];
}
interface QueueJson {
  queue: { app: { id: string }; count: number; processedOffersSummary: { processedOffersCount: number } }[];
}

/**
 * Placement constraints on a real cluster: three agents (`node-a` in rack r1, `node-b` and
 * `node-c` in rack r2), apps posted to `agora marathon`'s REST API.
 */
describe("marathon placement constraints", () => {
  let cluster: MarathonCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startMarathonCluster([
      { hostname: "node-a", attributes: "rack:r1" },
      { hostname: "node-b", attributes: "rack:r2" },
      { hostname: "node-c", attributes: "rack:r2" },
    ]);
    url = cluster.marathon.url;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const running = async (appId: string) =>
    (await marathonApi<TasksJson>(url, "GET", `/v2/apps${appId}/tasks`)).body.tasks.filter(
      (t) => t.state === "TASK_RUNNING",
    );

  it("5 instances with UNIQUE hostname on 3 agents: 3 run, one per agent, and 2 wait in /v2/queue", async () => {
    const created = await marathonApi(url, "POST", "/v2/apps", {
      id: "/unique",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 5,
      constraints: [["hostname", "UNIQUE"]],
    });
    expect(created.status).toBe(201);
    await waitFor("3 running", async () => (await running("/unique")).length === 3);
    // Offers were looked at for the other two and refused: they wait in the queue.
    await waitFor("2 queued after offers were refused", async () => {
      const queue = (await marathonApi<QueueJson>(url, "GET", "/v2/queue")).body.queue;
      const entry = queue.find((q) => q.app.id === "/unique");
      return entry?.count === 2 && entry.processedOffersSummary.processedOffersCount > 0;
    });
    expect((await running("/unique")).map((t) => t.host).sort()).toEqual(["node-a", "node-b", "node-c"]);
  });

  it("6 instances with GROUP_BY rack spread evenly over the two racks, not over the three agents", async () => {
    const created = await marathonApi(url, "POST", "/v2/apps", {
      id: "/spread",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 6,
      constraints: [["rack", "GROUP_BY"]],
    });
    expect(created.status).toBe(201);
    await waitFor("6 running", async () => (await running("/spread")).length === 6);
    const hosts = (await running("/spread")).map((t) => t.host);
    const inRack = (rack: string[]) => hosts.filter((h) => rack.includes(h)).length;
    expect(inRack(["node-a"])).toBe(3);
    expect(inRack(["node-b", "node-c"])).toBe(3);
  });
});
