import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, runAgora, type Spawned } from "./harness/processes.js";

/**
 * `--acls` in cluster mode: `agora master` and `agora agent` as their own processes over a real
 * nats-server, frameworks (`agora execute`, built on the SDK) calling the master over the bus. A subscribe
 * outside the ACL is refused with the action named (the SDK's SUBSCRIBE_FAILED); a launch as a user the
 * principal may not use ends TASK_ERROR naming `run_tasks`.
 */
const PRINCIPALS = ["ads", "web", "mallory"];
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
        register_agents: [{ principals: { type: "ANY" }, agents: { type: "ANY" } }],
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
    for (const principal of PRINCIPALS)
      writeFileSync(path.join(dir, `${principal}.secret`), secretOf(principal));
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
        extra: ["--acls", acls],
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

  it("the master counts each refusal by action", async () => {
    const metrics = await (await fetch(`${masterUrl}/metrics`)).text();
    expect(metrics).toMatch(/agora_authorization_denied_total\{action="register_frameworks"\} 2/);
    expect(metrics).toMatch(/agora_authorization_denied_total\{action="run_tasks"\} 1/);
  });
});
