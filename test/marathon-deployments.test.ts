import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MarathonCluster,
  MarathonEventStream,
  marathonApi,
  type StreamedEvent,
  startMarathonCluster,
} from "./harness/marathon.js";
import { waitFor } from "./harness/wait.js";

interface AppJson {
  app: {
    id: string;
    version: string;
    instances: number;
    tasksRunning: number;
    tasksHealthy: number;
    tasks: { id: string; state: string; version: string }[];
  };
}

const TERMINAL = /^TASK_(FINISHED|FAILED|KILLED|ERROR|DROPPED|LOST|GONE|GONE_BY_OPERATOR|UNKNOWN)$/;

/**
 * Deployments through Marathon's REST API on a real cluster (nats-server, master, three agents,
 * `agora marathon`), asserted from what `/v2/events` streamed.
 */
describe("marathon deployments", () => {
  let cluster: MarathonCluster;
  let events: MarathonEventStream;
  let url: string;

  beforeAll(async () => {
    cluster = await startMarathonCluster([
      { hostname: "node-a", attributes: "rack:r1" },
      { hostname: "node-b", attributes: "rack:r2" },
      // Resolvable, for Marathon's own readiness checks against the task.
      { hostname: "localhost", attributes: "rack:r3" },
    ]);
    url = cluster.marathon.url;
    events = await MarathonEventStream.attach(url);
  });

  afterAll(async () => {
    await events?.close();
    await cluster?.stop();
  });

  const deployed = (deploymentId: string) =>
    events.waitFor(
      `deployment ${deploymentId} to succeed`,
      (e) => e.type === "deployment_success" && e.data.id === deploymentId,
      60_000,
    );

  const app = async (id: string) => (await marathonApi<AppJson>(url, "GET", `/v2/apps${id}`)).body.app;

  it("creating, scaling, restarting and destroying an app each complete and stream their events", async () => {
    const created = await marathonApi<{ deployments: { id: string }[] }>(url, "POST", "/v2/apps", {
      id: "/web",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 2,
    });
    expect(created.status).toBe(201);
    await deployed(created.body.deployments[0]!.id);
    expect((await app("/web")).tasksRunning).toBe(2);
    expect(events.of("api_post_event").length).toBeGreaterThan(0);

    const scaled = await marathonApi<{ deploymentId: string }>(url, "PUT", "/v2/apps/web", { instances: 4 });
    expect(scaled.status).toBe(200);
    await deployed(scaled.body.deploymentId);
    const before = await app("/web");
    expect(before.tasksRunning).toBe(4);

    const restarted = await marathonApi<{ deploymentId: string }>(url, "POST", "/v2/apps/web/restart");
    expect(restarted.status).toBe(200);
    await deployed(restarted.body.deploymentId);
    const after = await app("/web");
    expect(after.tasksRunning).toBe(4);
    expect(after.tasks.every((t) => t.version === after.version)).toBe(true);
    expect(after.tasks.map((t) => t.id)).not.toContain(before.tasks[0]!.id);
    expect(events.of("deployment_step_success").length).toBeGreaterThanOrEqual(3);
    expect(events.of("deployment_info").length).toBeGreaterThanOrEqual(3);

    const destroyed = await marathonApi<{ deploymentId: string }>(url, "DELETE", "/v2/apps/web");
    expect(destroyed.status).toBe(200);
    await deployed(destroyed.body.deploymentId);
    await events.waitFor(
      "app_terminated_event",
      (e) => e.type === "app_terminated_event" && e.data.appId === "/web",
    );
    expect((await marathonApi(url, "GET", "/v2/apps/web")).status).toBe(404);
    for (const t of after.tasks)
      expect(
        events.of("status_update_event").some((e) => e.taskId === t.id && e.taskStatus === "TASK_KILLED"),
      ).toBe(true);
    const kinds = new Set(events.events.map((e) => e.type));
    for (const k of ["status_update_event", "instance_changed_event", "group_change_success"])
      expect(kinds).toContain(k);
  });

  it("a rolling restart of 10 healthy instances with 0.5/0.2 never has fewer than 5 healthy or more than 12 instances", async () => {
    const created = await marathonApi<{ deployments: { id: string }[] }>(url, "POST", "/v2/apps", {
      id: "/rolling",
      cmd: "sleep 300",
      cpus: 0.05,
      mem: 8,
      instances: 10,
      healthChecks: [
        {
          protocol: "COMMAND",
          command: { value: "true" },
          gracePeriodSeconds: 30,
          intervalSeconds: 1,
          timeoutSeconds: 5,
          delaySeconds: 0,
          maxConsecutiveFailures: 3,
        },
      ],
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2 },
    });
    expect(created.status).toBe(201);
    await deployed(created.body.deployments[0]!.id);
    await waitFor("10 healthy", async () => (await app("/rolling")).tasksHealthy === 10);
    const original = (await app("/rolling")).tasks.map((t) => t.id);
    const from = events.events.length;

    const restarted = await marathonApi<{ deploymentId: string }>(url, "POST", "/v2/apps/rolling/restart");
    expect(restarted.status).toBe(200);
    await deployed(restarted.body.deploymentId);

    // Replay the stream: the app's live and healthy tasks after each event, from the start.
    const live = new Set<string>();
    const healthy = new Set<string>();
    let minHealthy = Number.POSITIVE_INFINITY;
    let maxLive = 0;
    const apply = (e: StreamedEvent) => {
      if (e.data.appId !== "/rolling" || e.data.taskId === undefined) return;
      if (e.type === "status_update_event") {
        if (TERMINAL.test(e.data.taskStatus ?? "")) {
          live.delete(e.data.taskId);
          healthy.delete(e.data.taskId);
        } else live.add(e.data.taskId);
      } else if (e.type === "health_status_changed_event") {
        if (e.data.alive && live.has(e.data.taskId)) healthy.add(e.data.taskId);
        else healthy.delete(e.data.taskId);
      }
    };
    events.events.slice(0, from).forEach(apply);
    expect(healthy.size).toBe(10);
    for (const e of events.events.slice(from)) {
      apply(e);
      minHealthy = Math.min(minHealthy, healthy.size);
      maxLive = Math.max(maxLive, live.size);
    }
    expect(minHealthy).toBeGreaterThanOrEqual(5);
    expect(maxLive).toBeLessThanOrEqual(12);
    // It did roll: every original task was replaced, and the new ones are healthy.
    expect([...live].filter((id) => original.includes(id))).toEqual([]);
    expect(healthy.size).toBe(10);
  });

  it("a deployment of an app with a readiness check succeeds only after its instance answers ready", async () => {
    const readyFile = path.join(cluster.dir, "ready");
    // Answers 503 until the test creates the file, then 200.
    const server = `require("http").createServer((q, r) => { r.statusCode = require("fs").existsSync(${JSON.stringify(readyFile)}) ? 200 : 503; r.end(); }).listen(+process.env.PORT0)`;
    const created = await marathonApi<{ deployments: { id: string }[] }>(url, "POST", "/v2/apps", {
      id: "/ready",
      cmd: `${process.execPath} -e '${server}'`,
      cpus: 0.1,
      mem: 32,
      portDefinitions: [{ port: 0, name: "http" }],
      constraints: [["hostname", "CLUSTER", "localhost"]],
      readinessChecks: [
        { protocol: "HTTP", path: "/", portName: "http", intervalSeconds: 1, timeoutSeconds: 1 },
      ],
    });
    expect(created.status).toBe(201);
    const deploymentId = created.body.deployments[0]!.id;
    await waitFor("its task running", async () => (await app("/ready")).tasksRunning === 1);
    expect(
      (await marathonApi<{ id: string }[]>(url, "GET", "/v2/deployments")).body.map((d) => d.id),
    ).toContain(deploymentId);
    // While it runs, another change of the app is refused (409) without force.
    const locked = await marathonApi<{ deployments: { id: string }[] }>(url, "PUT", "/v2/apps/ready", {
      instances: 2,
    });
    expect(locked.status).toBe(409);
    expect(locked.body.deployments).toEqual([{ id: deploymentId }]);
    await events.waitFor("group_change_failed", (e) => e.type === "group_change_failed");
    const before = events.events.length;
    writeFileSync(readyFile, "");
    await deployed(deploymentId);
    const success = events.events.findIndex(
      (e) => e.type === "deployment_success" && e.data.id === deploymentId,
    );
    expect(success).toBeGreaterThanOrEqual(before);
  });

  it("DELETE of a deployment that cannot finish rolls the app back; the tasks it kept keep running", async () => {
    const created = await marathonApi<{ deployments: { id: string }[] }>(url, "POST", "/v2/apps", {
      id: "/rollme",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 2,
    });
    await deployed(created.body.deployments[0]!.id);
    const original = await app("/rollme");
    // A new version no agent can take: the restart keeps the old tasks (minimumHealthCapacity 1).
    const stuck = await marathonApi<{ deploymentId: string }>(url, "PUT", "/v2/apps/rollme", {
      cmd: "sleep 301",
      cpus: 0.1,
      mem: 16,
      instances: 2,
      constraints: [["hostname", "CLUSTER", "nowhere"]],
    });
    expect(stuck.status).toBe(200);
    await waitFor("the new version queued", async () => {
      const queue = (await marathonApi<{ queue: { app: { id: string } }[] }>(url, "GET", "/v2/queue")).body
        .queue;
      return queue.some((q) => q.app.id === "/rollme");
    });

    const rollback = await marathonApi<{ deploymentId: string }>(
      url,
      "DELETE",
      `/v2/deployments/${stuck.body.deploymentId}`,
    );
    expect(rollback.status).toBe(200);
    await deployed(rollback.body.deploymentId);
    await events.waitFor(
      "the stuck deployment failed",
      (e) => e.type === "deployment_failed" && e.data.id === stuck.body.deploymentId,
    );
    const after = await app("/rollme");
    expect((after as unknown as { cmd: string }).cmd).toBe("sleep 300");
    expect(after.tasks.map((t) => t.id).sort()).toEqual(original.tasks.map((t) => t.id).sort());
    expect(after.tasksRunning).toBe(2);
    const queue = (await marathonApi<{ queue: { app: { id: string } }[] }>(url, "GET", "/v2/queue")).body
      .queue;
    expect(queue.some((q) => q.app.id === "/rollme")).toBe(false);
  });

  it("killing a task replaces it; killing one with scale=true lowers the count in a deployment instead", async () => {
    const created = await marathonApi<{ deployments: { id: string }[] }>(url, "POST", "/v2/apps", {
      id: "/killme",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
      instances: 3,
    });
    await deployed(created.body.deployments[0]!.id);
    const [one, two] = (await app("/killme")).tasks;

    expect((await marathonApi(url, "DELETE", `/v2/apps/killme/tasks/${one!.id}`)).status).toBe(200);
    await waitFor("the killed task replaced", async () => {
      const a = await app("/killme");
      return a.tasksRunning === 3 && a.tasks.every((t) => t.id !== one!.id);
    });

    const scaled = await marathonApi<{ deploymentId: string }>(url, "POST", "/v2/tasks/delete?scale=true", {
      ids: [two!.id],
    });
    expect(scaled.status).toBe(200);
    await deployed(scaled.body.deploymentId);
    const after = await app("/killme");
    expect(after.instances).toBe(2);
    expect(after.tasksRunning).toBe(2);
    expect(after.tasks.map((t) => t.id)).not.toContain(two!.id);
  });
});
