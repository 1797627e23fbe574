import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Spawned } from "./harness/processes.js";
import { spawnDev, stopDev } from "./harness/spawned-dev.js";
import { EventStreamReader } from "./harness/sse.js";
import { waitFor } from "./harness/wait.js";

/**
 * The ACLs that decide what a principal may read, on real processes: one `agora dev` (master, agent,
 * Marathon, Chronos) with HTTP credentials for `ops`, `alice` and `bob` and ACLs that are not permissive.
 * Mesos' `get_endpoints` (the metrics, the agent's `/monitor/statistics`), `view_executors` and
 * `view_flags` (the agent's `/state`), and Agora's `view_apps` and `view_jobs` (Marathon's and Chronos'
 * reads). Ops runs two Marathon apps, one as user `nobody` (whose executors Alice may view) and one as
 * `daemon`, and two Chronos jobs; Alice may view one of each, Bob none.
 */
const CREDENTIALS = {
  credentials: ["ops", "alice", "bob"].map((principal) => ({ principal, secret: `${principal}-secret` })),
};

const ANY = { type: "ANY" };
const only = (...values: string[]) => ({ values });
const ops = { principals: only("ops") };
const alice = { principals: only("alice") };

const ACLS = {
  permissive: false,
  register_agents: [{ principals: ANY, agents: ANY }],
  register_frameworks: [{ principals: ANY, roles: only("*") }],
  run_tasks: [{ principals: ANY, users: ANY }],
  view_frameworks: [{ principals: ANY, users: ANY }],
  view_tasks: [{ principals: ANY, users: ANY }],
  view_executors: [
    { ...ops, users: ANY },
    { ...alice, users: only("nobody") },
  ],
  view_containers: [
    { ...ops, users: ANY },
    { ...alice, users: only("nobody") },
  ],
  view_flags: [{ ...ops, flags: ANY }],
  get_endpoints: [
    { ...ops, paths: ANY },
    { ...alice, paths: only("/monitor/statistics") },
  ],
  update_apps: [{ ...ops, apps: ANY }],
  view_apps: [
    { ...ops, apps: ANY },
    { ...alice, apps: only("/team/alice-web") },
  ],
  update_jobs: [{ ...ops, jobs: ANY }],
  view_jobs: [
    { ...ops, jobs: ANY },
    { ...alice, jobs: only("alice-job") },
  ],
};

const AS = Object.fromEntries(
  CREDENTIALS.credentials.map(({ principal, secret }) => [
    principal,
    `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`,
  ]),
) as Record<"ops" | "alice" | "bob", string>;

describe("--acls on what principals read", { timeout: 240_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  let agent: string;
  let marathon: string;
  let chronos: string;

  const get = (url: string, authorization?: string) =>
    fetch(url, { headers: authorization ? { authorization } : {} });
  const json = async <T = Record<string, unknown>>(url: string, authorization?: string): Promise<T> => {
    const res = await get(url, authorization);
    expect(res.status, `${url}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  const refusal = async (url: string, authorization?: string) => {
    const res = await get(url, authorization);
    expect(res.status, url).toBe(403);
    return ((await res.json()) as { message: string }).message;
  };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: AS.ops },
      body: JSON.stringify(body),
    });
    expect(res.status, `${url}: ${await res.clone().text()}`).toBeLessThan(300);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-authorization-reads-"));
    // Tasks run as nobody and daemon: they must reach their sandboxes under it.
    chmodSync(dir, 0o755);
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    const acls = path.join(dir, "acls.json");
    writeFileSync(acls, JSON.stringify(ACLS));
    ({ dev, master, agent, marathon, chronos } = await spawnDev(dir, [
      ...["--agent-resources", "cpus:4;mem:2048", "--allocation-interval", "200ms"],
      ...["--http-credentials", credentials, "--acls", acls],
    ]));
    await waitFor("Marathon answers", async () => (await get(`${marathon}/ping`).catch(() => undefined))?.ok);
    for (const [name, user] of [
      ["alice-web", "nobody"],
      ["ops-web", "daemon"],
    ])
      await post(`${marathon}/v2/apps`, { id: `/team/${name}`, cmd: "sleep 600", cpus: 0.1, mem: 16, user });
    await waitFor("both apps' tasks running", async () => {
      const { tasks } = await json<{ tasks: { state: string }[] }>(`${marathon}/v2/tasks`, AS.ops);
      return tasks.filter((t) => t.state === "TASK_RUNNING").length === 2;
    });
    await waitFor("Chronos answers", async () => (await get(`${chronos}/ping`).catch(() => undefined))?.ok);
    await post(`${chronos}/v1/scheduler/iso8601`, {
      name: "ops-job",
      command: "true",
      schedule: "R/2030-01-01T00:00:00Z/PT1H",
    });
    // Alice's job runs after ops-job, which she may not view.
    await post(`${chronos}/v1/scheduler/dependency`, {
      name: "alice-job",
      command: "true",
      parents: ["ops-job"],
    });
  });

  afterAll(async () => {
    await stopDev(dev, dir);
  });

  it("get_endpoints: the master's metrics and the agent's /monitor/statistics and /metrics, by path", async () => {
    expect((await get(`${master}/metrics/snapshot`, AS.ops)).status).toBe(200);
    expect(await refusal(`${master}/metrics/snapshot`, AS.alice)).toContain(
      "principal 'alice' may not get_endpoints on '/metrics/snapshot'",
    );
    expect(await refusal(`${master}/metrics/snapshot`)).toContain(
      "an anonymous principal may not get_endpoints",
    );
    expect(await refusal(`${master}/metrics`, AS.alice)).toContain("get_endpoints on '/metrics'");

    // view_containers: alice sees the usage of the task that runs as nobody, ops of both.
    const statistics = await json<{ executor_id: string }[]>(`${agent}/monitor/statistics`, AS.alice);
    expect(statistics.map((s) => s.executor_id.split(".")[0])).toEqual(["team_alice-web"]);
    expect(await json<unknown[]>(`${agent}/monitor/statistics`, AS.ops)).toHaveLength(2);
    const containers = async (authorization: string) => {
      const res = await fetch(`${agent}/api/v1`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization },
        body: JSON.stringify({ type: "GET_CONTAINERS" }),
      });
      const body = (await res.json()) as {
        get_containers: { containers?: { executor_id: { value: string } }[] };
      };
      return (body.get_containers.containers ?? []).map((c) => c.executor_id.value.split(".")[0]).sort();
    };
    expect(await containers(AS.alice)).toEqual(["team_alice-web"]);
    expect(await containers(AS.ops)).toEqual(["team_alice-web", "team_ops-web"]);
    expect(await refusal(`${agent}/monitor/statistics`, AS.bob)).toContain(
      "principal 'bob' may not get_endpoints on '/monitor/statistics'",
    );
    expect(await refusal(`${agent}/metrics`, AS.alice)).toContain("get_endpoints on '/metrics'");
    expect((await get(`${agent}/metrics`, AS.ops)).status).toBe(200);
  });

  it("view_executors and view_flags: the agent's /state shows executors by their user, flags only to ops", async () => {
    type AgentState = { flags?: unknown; frameworks: { name: string; executors: { id: string }[] }[] };
    const executors = async (authorization: string) => {
      const state = await json<AgentState>(`${agent}/state`, authorization);
      const fw = state.frameworks.find((f) => f.name === "marathon");
      return { ids: (fw?.executors ?? []).map((e) => e.id), flags: state.flags };
    };
    const asOps = await executors(AS.ops);
    expect(asOps.ids.filter((id) => id.startsWith("team_alice-web."))).toHaveLength(1);
    expect(asOps.ids.filter((id) => id.startsWith("team_ops-web."))).toHaveLength(1);
    expect(asOps.flags).toBeDefined();
    const asAlice = await executors(AS.alice);
    expect(asAlice.ids.filter((id) => id.startsWith("team_alice-web."))).toHaveLength(1);
    expect(asAlice.ids.filter((id) => id.startsWith("team_ops-web."))).toEqual([]);
    expect(asAlice.flags).toBeUndefined();
    expect((await executors(AS.bob)).ids).toEqual([]);
    // Mesos' v1 GET_EXECUTORS on the agent, the same filter.
    const v1 = await fetch(`${agent}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: AS.alice },
      body: JSON.stringify({ type: "GET_EXECUTORS" }),
    });
    const body = (await v1.json()) as {
      get_executors: { executors?: { executor_info: { executor_id: { value: string } } }[] };
    };
    const v1Ids = (body.get_executors.executors ?? []).map((e) => e.executor_info.executor_id.value);
    expect(v1Ids.filter((id) => id.startsWith("team_alice-web."))).toHaveLength(1);
    expect(v1Ids.filter((id) => id.startsWith("team_ops-web."))).toEqual([]);
  });

  it("view_apps: Marathon's apps, groups and tasks show a principal only the apps it may view", async () => {
    type Apps = { apps: { id: string }[] };
    const appIds = async (authorization: string) =>
      (await json<Apps>(`${marathon}/v2/apps`, authorization)).apps.map((a) => a.id).sort();
    expect(await appIds(AS.ops)).toEqual(["/team/alice-web", "/team/ops-web"]);
    expect(await appIds(AS.alice)).toEqual(["/team/alice-web"]);
    expect(await appIds(AS.bob)).toEqual([]);
    expect((await get(`${marathon}/v2/apps/team/alice-web`, AS.alice)).status).toBe(200);
    expect(await refusal(`${marathon}/v2/apps/team/ops-web`, AS.alice)).toContain(
      "principal 'alice' may not view_apps on '/team/ops-web'",
    );
    expect((await get(`${marathon}/v2/apps/team/ops-web/tasks`, AS.alice)).status).toBe(403);

    const team = await json<Apps>(`${marathon}/v2/groups/team`, AS.alice);
    expect(team.apps.map((a) => a.id)).toEqual(["/team/alice-web"]);
    expect((await get(`${marathon}/v2/groups/team`, AS.bob)).status).toBe(404);
    const root = await json<{ groups: { id: string }[] }>(`${marathon}/v2/groups`, AS.bob);
    expect(root.groups).toEqual([]);

    const tasks = await json<{ tasks: { appId: string }[] }>(`${marathon}/v2/tasks`, AS.alice);
    expect(tasks.tasks.map((t) => t.appId)).toEqual(["/team/alice-web"]);
  });

  it("view_jobs: Chronos' and Metronome's job lists show a principal only the jobs it may view", async () => {
    const names = async (authorization: string) =>
      (await json<{ name: string }[]>(`${chronos}/v1/scheduler/jobs`, authorization))
        .map((j) => j.name)
        .sort();
    expect(await names(AS.ops)).toEqual(["alice-job", "ops-job"]);
    expect(await names(AS.alice)).toEqual(["alice-job"]);
    expect(await names(AS.bob)).toEqual([]);
    expect(await refusal(`${chronos}/v1/scheduler/job/ops-job`, AS.alice)).toContain(
      "principal 'alice' may not view_jobs on 'ops-job'",
    );
    const summary = await json<{ jobs: { name: string }[] }>(
      `${chronos}/v1/scheduler/jobs/summary`,
      AS.alice,
    );
    expect(summary.jobs.map((j) => j.name)).toEqual(["alice-job"]);
    const metronome = await json<{ id: string }[]>(`${chronos}/v1/jobs`, AS.alice);
    expect(metronome.map((j) => j.id)).toEqual(["alice-job"]);
    expect((await get(`${chronos}/v1/jobs/ops-job`, AS.alice)).status).toBe(403);
    // The graphs name neither the hidden job nor the edge from it.
    const csv = await (await get(`${chronos}/v1/scheduler/graph/csv`, AS.alice)).text();
    expect(csv).toContain("node,alice-job,");
    expect(csv).not.toContain("ops-job");
    expect(await (await get(`${chronos}/v1/scheduler/graph/csv`, AS.ops)).text()).toContain(
      "link,ops-job,alice-job",
    );
    expect(await (await get(`${chronos}/v1/scheduler/graph/dot`, AS.alice)).text()).not.toContain("ops-job");
  });

  it("view_apps: Marathon's event stream carries a principal only the events of apps it may view", async () => {
    type Event = Record<string, unknown>;
    const stream = (secret: string) =>
      new EventStreamReader<Event>().open(`${marathon}/v2/events?access_token=${secret}`);
    const [asAlice, asOps] = await Promise.all([stream("alice-secret"), stream("ops-secret")]);
    try {
      // Ops adds an app Alice may not view, then changes hers: she hears only of hers.
      await post(`${marathon}/v2/apps`, {
        id: "/team/ops-idle",
        cmd: "sleep 600",
        cpus: 0.1,
        mem: 16,
        instances: 0,
      });
      await asOps.waitFor("ops hears of /team/ops-idle", (e) =>
        JSON.stringify(e.data).includes("/team/ops-idle"),
      );
      const put = await fetch(`${marathon}/v2/apps/team/alice-web`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: AS.ops },
        body: JSON.stringify({ labels: { changed: "yes" } }),
      });
      expect(put.status).toBeLessThan(300);
      await asAlice.waitFor("Alice hears of her deployment", (e) => e.type === "deployment_info");
      const heard = JSON.stringify(asAlice.events);
      expect(heard).toContain("/team/alice-web");
      expect(heard).not.toContain("ops-idle");
      expect(heard).not.toContain("ops-web");
    } finally {
      await Promise.all([asAlice.close(), asOps.close()]);
    }
  });

  it("every refusal of a read is counted by action", async () => {
    const masterMetrics = await (await get(`${master}/metrics`, AS.ops)).text();
    expect(masterMetrics).toMatch(/agora_authorization_denied_total\{action="get_endpoints"\} [1-9]/);
    const agentMetrics = await (await get(`${agent}/metrics`, AS.ops)).text();
    expect(agentMetrics).toMatch(/agora_authorization_denied_total\{action="get_endpoints"\} [1-9]/);
    const marathonMetrics = await (await get(`${marathon}/metrics/prometheus`, AS.ops)).text();
    expect(marathonMetrics).toMatch(/agora_authorization_denied_total\{action="view_apps"\} [1-9]/);
    const chronosMetrics = await json<{ counters: Record<string, { count: number }> }>(
      `${chronos}/metrics`,
      AS.ops,
    );
    expect(chronosMetrics.counters["authorization.denied.view_jobs"]?.count).toBeGreaterThan(0);
  });
});
