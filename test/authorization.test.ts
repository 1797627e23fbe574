import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosEvent, MesosSchedulerClient } from "./harness/mesos-scheduler.js";
import { runAgora, type Spawned } from "./harness/processes.js";
import { spawnDev, stopDev } from "./harness/spawned-dev.js";
import { waitFor } from "./harness/wait.js";

/**
 * Mesos' ACLs (`--acls`) on real processes: one `agora dev` (master, agent, Marathon, Chronos) with
 * HTTP credentials for `ops`, `alice` and `bob`, and ACLs that are not permissive. Alice and Bob run
 * Mesos v1 HTTP frameworks (users alice and bob, principals alice and bob, their own roles); ops may do
 * anything. What the ACLs do not allow is refused with 403 (or an error on the bus) naming the action.
 */
const CREDENTIALS = {
  credentials: [
    { principal: "ops", secret: "ops-secret" },
    { principal: "alice", secret: "alice-secret" },
    { principal: "bob", secret: "bob-secret" },
  ],
};

const ANY = { type: "ANY" };
const only = (...values: string[]) => ({ values });
const ops = { principals: only("ops") };

const ACLS = {
  permissive: false,
  register_agents: [{ principals: ANY, agents: ANY }],
  register_frameworks: [
    { principals: only("alice"), roles: only("alice") },
    { principals: only("bob"), roles: only("bob") },
    // Marathon and Chronos subscribe without a principal, in role *.
    { principals: ANY, roles: only("*") },
  ],
  run_tasks: [
    { principals: only("alice", "bob"), users: only("root") },
    // The first rule matching both decides: without this one, the next would let them run as anyone.
    { principals: only("alice", "bob"), users: { type: "NONE" } },
    { principals: ANY, users: ANY },
  ],
  teardown_frameworks: [
    { ...ops, framework_principals: ANY },
    { principals: only("alice"), framework_principals: only("alice") },
  ],
  reserve_resources: [{ ...ops, roles: ANY }],
  unreserve_resources: [{ ...ops, reserver_principals: ANY }],
  get_quotas: [{ principals: ANY, roles: ANY }],
  update_quotas: [{ ...ops, roles: ANY }],
  update_weights: [{ ...ops, roles: ANY }],
  view_roles: [{ principals: ANY, roles: ANY }],
  view_frameworks: [
    { ...ops, users: ANY },
    { principals: only("alice"), users: only("alice") },
    { principals: only("bob"), users: only("bob") },
  ],
  view_tasks: [
    { ...ops, users: ANY },
    { principals: only("alice"), users: only("alice") },
    { principals: only("bob"), users: only("bob") },
  ],
  access_sandboxes: [
    { ...ops, users: ANY },
    { principals: only("bob"), users: only("bob") },
  ],
  update_apps: [
    { ...ops, apps: ANY },
    { principals: only("alice"), apps: only("/alice-web") },
  ],
  update_jobs: [
    { ...ops, jobs: ANY },
    { principals: only("alice"), jobs: only("alice-job") },
  ],
  // Only ops reads the metrics.
  get_endpoints: [{ ...ops, paths: ANY }],
};

const basic = (principal: string, secret: string) =>
  `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;
const AS = {
  ops: basic("ops", "ops-secret"),
  alice: basic("alice", "alice-secret"),
  bob: basic("bob", "bob-secret"),
};

describe("--acls on agora dev", { timeout: 240_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  let agent: string;
  let marathon: string;
  let chronos: string;
  let alice: MesosSchedulerClient;
  let bob: MesosSchedulerClient;
  let aliceTask: { taskId: string; agentId: string };

  const json = async (url: string, authorization?: string) => {
    const res = await fetch(url, { headers: authorization ? { authorization } : {} });
    expect(res.status, `${url}: ${res.status}`).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const send = (url: string, method: string, body: unknown, authorization?: string) =>
    fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(authorization ? { authorization } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const subscribeCall = (name: string, user: string, principal: string | undefined, role: string) => ({
    type: "SUBSCRIBE",
    subscribe: {
      framework_info: {
        name,
        user,
        role,
        failover_timeout: 60,
        ...(principal ? { principal } : {}),
      },
    },
  });
  const frameworksIn = (state: Record<string, unknown>) =>
    (state.frameworks as { name: string; tasks: { id: string }[] }[]).map((f) => f.name).sort();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-authorization-"));
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    const acls = path.join(dir, "acls.json");
    writeFileSync(acls, JSON.stringify(ACLS));
    ({ dev, master, agent, marathon, chronos } = await spawnDev(dir, [
      ...["--agent-resources", "cpus:4;mem:2048", "--allocation-interval", "200ms"],
      ...["--http-credentials", credentials, "--acls", acls],
    ]));
    await waitFor("the master and its agent", async () => {
      const state = await fetch(`${master}/master/state`, { headers: { authorization: AS.ops } });
      return state.ok && ((await state.json()) as { slaves: unknown[] }).slaves.length === 1;
    });
    alice = await MesosSchedulerClient.subscribe(
      master,
      subscribeCall("alice-fw", "alice", "alice", "alice"),
    );
    await alice.next("SUBSCRIBED");
    bob = await MesosSchedulerClient.subscribe(master, subscribeCall("bob-fw", "bob", "bob", "bob"));
    await bob.next("SUBSCRIBED");
    // Bob launches nothing: he wants no offers, so Alice gets the agent's.
    expect((await bob.call({ type: "SUPPRESS", framework_id: { value: bob.frameworkId } })).status).toBe(202);
    await declineAll(bob);
    aliceTask = await launch(alice, "alice-sleep", { value: "sleep 600", shell: true, user: "root" });
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await stopDev(dev, dir);
  });

  /** Declines every offer the framework holds, for an hour (offers made before a SUPPRESS took effect). */
  async function declineAll(client: MesosSchedulerClient, refuseSeconds = 3600): Promise<void> {
    const offerIds: unknown[] = [];
    while (client.pending("OFFERS").length > 0)
      offerIds.push(...(await client.next("OFFERS")).offers.offers.map((o: MesosEvent) => o.id));
    if (offerIds.length === 0) return;
    const res = await client.call({
      type: "DECLINE",
      framework_id: { value: client.frameworkId },
      decline: { offer_ids: offerIds, filters: { refuse_seconds: refuseSeconds } },
    });
    expect(res.status).toBe(202);
  }

  /** Accepts the framework's next offer with one task and waits for its RUNNING (or its refusal). */
  async function launch(
    client: MesosSchedulerClient,
    taskId: string,
    command: Record<string, unknown>,
    until = "TASK_RUNNING",
  ): Promise<{ taskId: string; agentId: string; status: MesosEvent }> {
    const offer = (await client.next("OFFERS")).offers.offers[0];
    const agentId = offer.agent_id.value as string;
    const res = await client.call({
      type: "ACCEPT",
      framework_id: { value: client.frameworkId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  name: taskId,
                  task_id: { value: taskId },
                  agent_id: { value: agentId },
                  resources: [
                    { name: "cpus", type: "SCALAR", scalar: { value: 0.1 } },
                    { name: "mem", type: "SCALAR", scalar: { value: 32 } },
                  ],
                  command,
                },
              ],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(202);
    const status = await client.next(
      "UPDATE",
      (e) => e.update.status.task_id.value === taskId && e.update.status.state === until,
    );
    return { taskId, agentId, status };
  }

  it("register_frameworks: a principal outside the ACL cannot subscribe in a role (403 naming the action)", async () => {
    for (const [principal, role] of [
      ["mallory", "alice"],
      ["alice", "bob"],
      [undefined, "alice"],
    ] as const) {
      const res = await send(`${master}/api/v1/scheduler`, "POST", subscribeCall("x", "x", principal, role));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("register_frameworks on 'alice'".replace("alice", role));
    }
    // The frameworks that were allowed are subscribed (ops sees them).
    const state = await json(`${master}/master/state`, AS.ops);
    expect(frameworksIn(state)).toEqual(expect.arrayContaining(["alice-fw", "bob-fw"]));
    expect(frameworksIn(state)).not.toContain("x");
  });

  it("run_tasks: a task as a user the principal may not launch as fails with TASK_ERROR naming the action", async () => {
    await declineAll(bob);
    const refused = await launch(alice, "alice-as-bob", { value: "true", user: "bob" }, "TASK_ERROR");
    expect(refused.status.update.status.reason).toBe("REASON_TASK_UNAUTHORIZED");
    expect(refused.status.update.status.message).toContain("may not run_tasks on 'bob'");
  });

  it("reserve_resources and unreserve_resources: only ops may reserve (HTTP and v1), 403 otherwise", async () => {
    const body = {
      agentId: aliceTask.agentId,
      resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 0.5 }, role: "alice" }],
    };
    const refused = await send(`${master}/reserve`, "POST", body, AS.alice);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'alice' may not reserve_resources on 'alice'",
    );
    const v1 = await fetch(`${master}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: AS.bob },
      body: JSON.stringify({
        type: "RESERVE_RESOURCES",
        reserve_resources: {
          agent_id: { value: aliceTask.agentId },
          resources: [
            {
              name: "cpus",
              type: "SCALAR",
              scalar: { value: 0.5 },
              reservations: [{ type: "DYNAMIC", role: "bob", principal: "bob" }],
            },
          ],
        },
      }),
    });
    expect(v1.status).toBe(403);
    expect(await v1.text()).toContain("reserve_resources");
    expect((await send(`${master}/reserve`, "POST", body, AS.ops)).status).toBe(202);
    const unreserve = await send(`${master}/unreserve`, "POST", body, AS.bob);
    expect(unreserve.status).toBe(403);
    expect(((await unreserve.json()) as { message: string }).message).toContain("unreserve_resources");
    expect((await send(`${master}/unreserve`, "POST", body, AS.ops)).status).toBe(202);
  });

  it("update_quotas and update_weights: only ops may set them", async () => {
    const quota = { role: "alice", guarantee: [{ name: "cpus", scalar: 1 }] };
    const refused = await send(`${master}/quota`, "POST", quota, AS.alice);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'alice' may not update_quotas on 'alice'",
    );
    expect((await send(`${master}/quota`, "POST", quota)).status).toBe(403); // anonymous
    expect((await send(`${master}/quota`, "POST", quota, AS.ops)).status).toBe(200);
    expect(((await json(`${master}/quota`, AS.bob)).infos as { role: string }[]).map((q) => q.role)).toEqual([
      "alice",
    ]);
    expect((await send(`${master}/quota/alice`, "DELETE", undefined, AS.bob)).status).toBe(403);
    expect((await send(`${master}/quota/alice`, "DELETE", undefined, AS.ops)).status).toBe(204);
    const weights = await send(`${master}/weights`, "PUT", [{ role: "bob", weight: 5 }], AS.bob);
    expect(weights.status).toBe(403);
    expect(((await weights.json()) as { message: string }).message).toContain("update_weights");
  });

  it("teardown_frameworks: a principal cannot tear down another principal's framework", async () => {
    const form = (id: string, authorization: string) =>
      fetch(`${master}/teardown`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization },
        body: `frameworkId=${id}`,
      });
    const refused = await form(bob.frameworkId, AS.alice);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'alice' may not teardown_frameworks on 'bob'",
    );
    const v1 = await fetch(`${master}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: AS.alice },
      body: JSON.stringify({ type: "TEARDOWN", teardown: { framework_id: { value: bob.frameworkId } } }),
    });
    expect(v1.status).toBe(403);
    expect(await v1.text()).toContain("teardown_frameworks");
    const state = await json(`${master}/master/state`, AS.ops);
    expect(frameworksIn(state)).toContain("bob-fw");
  });

  it("a framework cannot kill, reconcile or read another framework's tasks", async () => {
    // Bob names Alice's task in his own calls: the master looks only among Bob's tasks.
    const fw = { framework_id: { value: bob.frameworkId } };
    const kill = await bob.call({
      type: "KILL",
      ...fw,
      kill: { task_id: { value: aliceTask.taskId }, agent_id: { value: aliceTask.agentId } },
    });
    expect(kill.status).toBe(202);
    const lost = await bob.next("UPDATE", (e) => e.update.status.task_id.value === aliceTask.taskId);
    expect(lost.update.status.state).toBe("TASK_LOST");
    const reconcile = await bob.call({
      type: "RECONCILE",
      ...fw,
      reconcile: {
        tasks: [{ task_id: { value: aliceTask.taskId }, agent_id: { value: aliceTask.agentId } }],
      },
    });
    expect(reconcile.status).toBe(202);
    const answer = await bob.next("UPDATE", (e) => e.update.status.task_id.value === aliceTask.taskId);
    expect(answer.update.status.state).toBe("TASK_GONE"); // not Alice's TASK_RUNNING
    // Bob cannot speak as Alice's framework: his stream is not hers.
    const spoofed = await bob.call({
      type: "KILL",
      framework_id: { value: alice.frameworkId },
      kill: { task_id: { value: aliceTask.taskId } },
    });
    expect(spoofed.status).toBe(400);
    // Alice's task runs on, and only principals allowed to view her framework's user read it.
    const mine = (await json(`${master}/master/tasks`, AS.alice)).tasks as { id: string; state: string }[];
    expect(mine).toContainEqual(expect.objectContaining({ id: aliceTask.taskId, state: "TASK_RUNNING" }));
    const theirs = (await json(`${master}/master/tasks`, AS.bob)).tasks as { id: string }[];
    expect(theirs.map((t) => t.id)).not.toContain(aliceTask.taskId);
    const v1 = await fetch(`${master}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: AS.bob },
      body: JSON.stringify({ type: "GET_TASKS" }),
    });
    const tasks = (await v1.json()) as { get_tasks: { tasks?: { task_id: { value: string } }[] } };
    expect((tasks.get_tasks.tasks ?? []).map((t) => t.task_id.value)).not.toContain(aliceTask.taskId);
  });

  it("reserve_resources in an offer operation: the accept is refused (403 naming the action), nothing reserved", async () => {
    await declineAll(alice, 0); // offers seen before may be gone: take a fresh one
    const offer = (await alice.next("OFFERS")).offers.offers[0];
    const res = await alice.call({
      type: "ACCEPT",
      framework_id: { value: alice.frameworkId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: "RESERVE",
            reserve: {
              resources: [
                {
                  name: "cpus",
                  type: "SCALAR",
                  scalar: { value: 0.5 },
                  reservations: [{ type: "DYNAMIC", role: "alice", principal: "alice" }],
                },
              ],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("principal 'alice' may not reserve_resources on 'alice'");
    const roles = (await json(`${master}/master/roles`, AS.ops)).roles as {
      name: string;
      reserved: { cpus?: number };
    }[];
    expect(roles.find((r) => r.name === "alice")?.reserved.cpus ?? 0).toBe(0);
  });

  it("the web UI's event log shows a principal only the frameworks and tasks it may view", async () => {
    type Recent = { events: { kind: string; key: string }[] };
    const recent = async (authorization: string) =>
      ((await json(`${master}/master/events/recent?limit=1000`, authorization)) as Recent).events;
    await recent(AS.ops); // the master compares its registry only while someone reads the log
    await declineAll(alice, 0);
    const echo = await launch(alice, "alice-echo", { value: "sleep 600", user: "root" });
    const key = `${alice.frameworkId}/${echo.taskId}`;
    await waitFor("alice's task in the event log", async () =>
      (await recent(AS.ops)).some((e) => e.key === key),
    );
    const asBob = await recent(AS.bob);
    expect(asBob.some((e) => e.kind === "agent")).toBe(true); // the agent's resources changed: Bob sees that
    expect(asBob.filter((e) => e.key.startsWith(alice.frameworkId))).toEqual([]);
    expect((await recent(AS.alice)).map((e) => e.key)).toContain(key);
  });

  it("view_frameworks and view_tasks filter /master/state and /master/state-summary by the framework's user", async () => {
    expect(frameworksIn(await json(`${master}/master/state`, AS.alice))).toEqual(["alice-fw"]);
    expect(frameworksIn(await json(`${master}/master/state`, AS.bob))).toEqual(["bob-fw"]);
    // Nothing is allowed to the anonymous principal: no frameworks at all.
    expect(frameworksIn(await json(`${master}/master/state`))).toEqual([]);
    const all = await json(`${master}/master/state`, AS.ops);
    expect(frameworksIn(all)).toEqual(expect.arrayContaining(["alice-fw", "bob-fw", "marathon", "chronos"]));
    const summary = (await json(`${master}/master/state-summary`, AS.bob)).frameworks as { name: string }[];
    expect(summary.map((f) => f.name)).toEqual(["bob-fw"]);
    type Roles = { roles: { name: string; frameworks: string[] }[] };
    const aliceRole = async (authorization: string) =>
      ((await json(`${master}/master/roles`, authorization)) as Roles).roles.find((r) => r.name === "alice");
    expect((await aliceRole(AS.ops))?.frameworks).toEqual([alice.frameworkId]);
    expect((await aliceRole(AS.bob))?.frameworks).toEqual([]);
  });

  it("access_sandboxes: the agent and the master's proxy serve a sandbox only to principals allowed its user", async () => {
    const sandbox = path.join(dir, "data", "agents", "0", "sandboxes", alice.frameworkId, aliceTask.taskId);
    const query = `path=${encodeURIComponent(sandbox)}`;
    const refused = await fetch(`${agent}/files/browse?${query}`, { headers: { authorization: AS.bob } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'bob' may not access_sandboxes on 'root'",
    );
    const read = await fetch(`${agent}/files/read?${query}%2Fstdout&offset=0`, {
      headers: { authorization: AS.bob },
    });
    expect(read.status).toBe(403);
    const proxied = await fetch(`${master}/agents/${aliceTask.agentId}/files/browse?${query}`, {
      headers: { authorization: AS.bob },
    });
    expect(proxied.status).toBe(403);
    const allowed = await fetch(`${agent}/files/browse?${query}`, { headers: { authorization: AS.ops } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { path: string }[]).map((f) => path.basename(f.path))).toContain(
      "stdout",
    );
    expect(
      (
        await fetch(`${master}/agents/${aliceTask.agentId}/files/browse?${query}`, {
          headers: { authorization: AS.ops },
        })
      ).status,
    ).toBe(200);
  });

  it("the agent's /state (direct and through the master) shows a principal only the frameworks it may view", async () => {
    const names = async (url: string, authorization: string) =>
      ((await json(url, authorization)).frameworks as { name: string }[]).map((f) => f.name);
    expect(await names(`${agent}/state`, AS.ops)).toContain("alice-fw");
    expect(await names(`${agent}/state`, AS.bob)).not.toContain("alice-fw");
    expect(await names(`${master}/agents/${aliceTask.agentId}/state`, AS.bob)).not.toContain("alice-fw");
    expect(await names(`${master}/agents/${aliceTask.agentId}/state`, AS.alice)).toContain("alice-fw");
  });

  it("Marathon refuses app writes the principal may not make (update_apps, by app id)", async () => {
    const app = (id: string) => ({ id, cmd: "sleep 600", cpus: 0.1, mem: 16, instances: 0 });
    const refused = await send(`${marathon}/v2/apps`, "POST", app("/bob-web"), AS.alice);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'alice' may not update_apps on '/bob-web'",
    );
    expect((await send(`${marathon}/v2/apps`, "POST", app("/alice-web"), AS.alice)).status).toBe(201);
    expect((await send(`${marathon}/v2/apps/alice-web`, "DELETE", undefined, AS.bob)).status).toBe(403);
    const group = await send(
      `${marathon}/v2/groups`,
      "POST",
      { id: "/team", apps: [app("/team/api")] },
      AS.alice,
    );
    expect(group.status).toBe(403);
    expect((await send(`${marathon}/v2/apps/alice-web`, "DELETE", undefined, AS.alice)).status).toBe(200);
  });

  it("Chronos refuses job writes the principal may not make (update_jobs, by job name)", async () => {
    const job = (name: string) => ({ name, command: "true", schedule: "R/2030-01-01T00:00:00Z/PT1H" });
    const refused = await send(`${chronos}/v1/scheduler/iso8601`, "POST", job("bob-job"), AS.alice);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "principal 'alice' may not update_jobs on 'bob-job'",
    );
    expect((await send(`${chronos}/v1/scheduler/iso8601`, "POST", job("alice-job"), AS.alice)).status).toBe(
      204,
    );
    expect((await send(`${chronos}/v1/scheduler/job/alice-job`, "DELETE", undefined, AS.bob)).status).toBe(
      403,
    );
    const metronome = await send(
      `${chronos}/v1/jobs`,
      "POST",
      { id: "bob-job", run: { cmd: "true" } },
      AS.alice,
    );
    expect(metronome.status).toBe(403);
    expect((await send(`${chronos}/v1/scheduler/job/alice-job`, "DELETE", undefined, AS.alice)).status).toBe(
      204,
    );
  });

  it("every refusal is counted by action in each role's metrics", async () => {
    const text = await (await fetch(`${master}/metrics`, { headers: { authorization: AS.ops } })).text();
    for (const action of ["register_frameworks", "reserve_resources", "update_quotas", "teardown_frameworks"])
      expect(text).toMatch(new RegExp(`agora_authorization_denied_total\\{action="${action}"\\} [1-9]`));
    const agentMetrics = await (
      await fetch(`${agent}/metrics`, { headers: { authorization: AS.ops } })
    ).text();
    expect(agentMetrics).toMatch(/agora_authorization_denied_total\{action="access_sandboxes"\} [1-9]/);
    const marathonMetrics = await (
      await fetch(`${marathon}/metrics/prometheus`, { headers: { authorization: AS.ops } })
    ).text();
    expect(marathonMetrics).toMatch(/agora_authorization_denied_total\{action="update_apps"\} [1-9]/);
    const chronosMetrics = (await json(`${chronos}/metrics`, AS.ops)).counters as Record<
      string,
      { count: number }
    >;
    expect(chronosMetrics["authorization.denied.update_jobs"]?.count).toBeGreaterThan(0);
  });

  it("ops, whom the ACLs allow, tears Bob's framework down", async () => {
    const res = await fetch(`${master}/teardown`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: AS.ops },
      body: `frameworkId=${bob.frameworkId}`,
    });
    expect(res.status).toBe(200);
  });
});

describe("--acls that cannot be used", () => {
  it("is a usage error naming the entry, on every role", async () => {
    const bad = await runAgora([
      "master",
      "--nats",
      "nats://127.0.0.1:1",
      "--acls",
      '{"update_wieghts": []}',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("update_wieghts");
    const missing = await runAgora([
      "agent",
      "--nats",
      "nats://127.0.0.1:1",
      "--acls",
      "/nonexistent/acls.json",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("/nonexistent/acls.json");
  });
});
