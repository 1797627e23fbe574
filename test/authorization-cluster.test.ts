import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, httpJson, runAgora, type Spawned } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * `--acls` in cluster mode: `agora master` and `agora agent` as their own processes over a real
 * nats-server, frameworks (`agora execute`, built on the SDK) calling the master over the bus. A subscribe
 * outside the ACL is refused with the action named (the SDK's SUBSCRIBE_FAILED); a launch as a user the
 * principal may not use ends TASK_ERROR naming `run_tasks`.
 */
const PRINCIPALS = ["ads", "web", "mallory", "agent", "rogue-agent"];
const secretOf = (principal: string) => `${principal}-secret`;

describe("--acls on the bus (agora master over NATS)", { timeout: 180_000 }, () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  const procs: Spawned[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-authorization-cluster-"));
    const acls = path.join(dir, "acls.json");
    writeFileSync(
      acls,
      JSON.stringify({
        permissive: false,
        // Only the agent principal may register an agent (its credential is checked, not required).
        register_agents: [{ principals: { values: ["agent"] }, agents: { type: "ANY" } }],
        get_endpoints: [{ principals: { type: "ANY" }, paths: { type: "ANY" } }],
        register_frameworks: [
          { principals: { values: ["ads"] }, roles: { values: ["ads"] } },
          { principals: { values: ["web"] }, roles: { values: ["web"] } },
        ],
        run_tasks: [
          { principals: { values: ["ads"] }, users: { type: "ANY" } },
          { principals: { values: ["web"] }, users: { type: "NONE" } },
        ],
      }),
    );
    // Every principal authenticates (mallory too): the ACLs, not the credentials, keep it out.
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(
      credentials,
      JSON.stringify({
        credentials: PRINCIPALS.map((principal) => ({ principal, secret: secretOf(principal) })),
      }),
    );
    for (const principal of PRINCIPALS) {
      writeFileSync(path.join(dir, `${principal}.secret`), secretOf(principal));
      writeFileSync(path.join(dir, `${principal}.credential`), `${principal} ${secretOf(principal)}\n`);
    }
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url, [
      ...["--acls", acls, "--allocation-interval", "200ms"],
      ...["--credentials", credentials, "--authenticate-frameworks"],
    ]);
    procs.push(master.proc);
    masterUrl = master.url;
    procs.push(
      spawnAgent(nats.url, {
        port: await freePort(),
        workDir: path.join(dir, "agent"),
        resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
        extra: ["--acls", acls, "--credential", path.join(dir, "agent.credential")],
      }),
    );
    await waitForAgents(masterUrl, 1);
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    if (dir) await expectNoOrphans(dir);
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const execute = (principal: string, role: string) => {
    const secret = path.join(dir, `${principal}.secret`);
    return runAgora([
      "execute",
      ...["--nats", nats.url, "--principal", principal, "--secret-file", secret],
      ...["--role", role, "--name", `${principal}-in-${role}`],
      ...["--cpus", "0.1", "--mem", "16", "--timeout", "60", "--command", "true"],
    ]);
  };

  it("a principal may subscribe only in the roles the ACL gives it", async () => {
    for (const [principal, role] of [
      ["mallory", "ads"],
      ["web", "ads"],
    ] as const) {
      const refused = await execute(principal, role);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`principal '${principal}' may not register_frameworks on '${role}'`);
    }
    const allowed = await execute("ads", "ads");
    expect(allowed.stdout).toContain("1 task(s): 1 TASK_FINISHED");
    expect(allowed.code).toBe(0);
  });

  it("a task as a user the principal may not run as ends TASK_ERROR naming run_tasks", async () => {
    const refused = await execute("web", "web");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain("TASK_ERROR");
    expect(refused.stdout).toContain("may not run_tasks");
  });

  it("register_agents: an agent whose principal the ACL refuses, or with none, cannot register", async () => {
    const agents = await Promise.all(
      [["--credential", path.join(dir, "rogue-agent.credential")], []].map(async (extra, i) => {
        const agent = spawnAgent(nats.url, {
          port: await freePort(),
          hostname: `refused-${i}`,
          workDir: path.join(dir, `refused-${i}`),
          resources: "cpus:1;mem:128",
          extra,
        });
        procs.push(agent);
        return agent;
      }),
    );
    const [rogue, anonymous] = agents as [Spawned, Spawned];
    await waitFor("both agents told they may not register", () =>
      agents.every((a) => a.stderr().includes("may not register_agents")),
    );
    expect(rogue.stderr()).toContain("principal 'rogue-agent' may not register_agents");
    expect(anonymous.stderr()).toContain("an anonymous principal may not register_agents");
    expect(rogue.stderr()).toContain("FORBIDDEN");
    const state = await httpJson<{ slaves: { hostname: string }[] }>(`${masterUrl}/master/state`);
    expect(state.slaves).toHaveLength(1);
    expect(state.slaves[0]!.hostname).not.toMatch(/^refused/);
    const metrics = await (await fetch(`${masterUrl}/metrics`)).text();
    expect(metrics).toMatch(/agora_authorization_denied_total\{action="register_agents"\} [2-9]/);
    for (const a of agents) await a.stop("SIGUSR1");
  });

  it("the master counts each refusal by action", async () => {
    const metrics = await (await fetch(`${masterUrl}/metrics`)).text();
    expect(metrics).toMatch(/agora_authorization_denied_total\{action="register_frameworks"\} 2/);
    expect(metrics).toMatch(/agora_authorization_denied_total\{action="run_tasks"\} 1/);
  });
});
