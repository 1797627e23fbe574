import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, httpJson, runAgora, type Spawned } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * Mesos' --authenticate_frameworks and --authenticate_agents with real processes over a real
 * nats-server: a master that requires credentials, agents and `agora execute` frameworks with none,
 * wrong or right ones.
 */
describe("bus authentication of frameworks and agents", () => {
  let nats: NatsServerHandle;
  let dir: string;
  let masterUrl: string;
  const procs: Spawned[] = [];
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const agent = async (name: string, extra: string[] = []) => {
    const p = spawnAgent(nats.url, {
      port: await freePort(),
      hostname: name,
      workDir: path.join(dir, name),
      resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
      extra,
    });
    procs.push(p);
    return p;
  };
  const execute = (name: string, ...args: string[]) =>
    runAgora([
      "execute",
      "--nats",
      nats.url,
      "--name",
      name,
      "--cpus",
      "0.1",
      "--mem",
      "16",
      "--timeout",
      "60",
      "--command",
      "echo hello",
      ...args,
    ]);
  const failures = async () =>
    (await (await fetch(`${masterUrl}/metrics`)).text())
      .split("\n")
      .filter((l) => l.startsWith("agora_master_authentication_failures_total{"));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-bus-auth-"));
    const credentials = file(
      "credentials.json",
      JSON.stringify({
        credentials: [
          { principal: "ads", secret: "s3cret" },
          { principal: "agent", secret: "ag3nt" },
        ],
      }),
    );
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url, [
      "--authenticate-frameworks",
      "--authenticate-agents",
      "--credentials",
      credentials,
    ]);
    procs.push(master.proc);
    masterUrl = master.url;
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names the missing flag of an incomplete identity (exit 2)", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["master", "--nats", nats.url, "--authenticate-agents"],
        /--credentials \(or AGORA_CREDENTIALS\): is required with --authenticate-agents/,
      ],
      [
        ["agent", "--nats", nats.url, "--nats-user", "agent"],
        /--nats-password \(or AGORA_NATS_PASSWORD\): is required with --nats-user/,
      ],
      [
        ["execute", "--nats", nats.url, "--command", "true", "--secret-file", "x"],
        /--principal \(or AGORA_PRINCIPAL\): is required with --secret-file/,
      ],
      [["agent", "--nats", nats.url, "--credential", path.join(dir, "missing")], /--credential: cannot read/],
      [["nats-config"], /--credentials \(or AGORA_CREDENTIALS\): is required/],
    ];
    for (const [args, message] of cases) {
      const r = await runAgora(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("refuses an agent without credentials or with a wrong secret, and registers one with its credential", async () => {
    const anonymous = await agent("no-credential");
    const wrong = await agent("wrong-secret", ["--credential", file("wrong.cred", "agent guess\n")]);
    await waitFor("both refusals logged", () =>
      [anonymous, wrong].every((p) => p.stderr().includes("Agent authentication failed")),
    );
    expect(anonymous.stderr()).toContain("no principal and no secret given");
    expect(wrong.stderr()).toContain("wrong secret for principal 'agent'");
    expect((await httpJson<{ slaves: unknown[] }>(`${masterUrl}/master/state`)).slaves).toHaveLength(0);
    expect(await failures()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/peer="agent",reason="missing"\} [1-9]/),
        expect.stringMatching(/peer="agent",reason="wrong_secret"\} [1-9]/),
      ]),
    );
    await anonymous.stop("SIGUSR1");
    await wrong.stop("SIGUSR1");

    const good = await agent("with-credential", [
      "--credential",
      file("agent.json", JSON.stringify({ principal: "agent", secret: "ag3nt" })),
    ]);
    await waitForAgents(masterUrl, 1);
    expect(good.stderr()).not.toContain("authentication failed");
  });

  it("refuses a framework without credentials or with a wrong secret, naming why", async () => {
    const none = await execute("anonymous");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/Framework authentication failed: no principal and no secret given/);

    const wrong = await execute("wrong", "--principal", "ads", "--secret-file", file("guess", "guess\n"));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Framework authentication failed: wrong secret for principal 'ads'/);

    const state = await httpJson<{ frameworks: { name: string }[] }>(`${masterUrl}/master/state`);
    expect(state.frameworks.map((f) => f.name)).not.toContain("anonymous");
    expect(state.frameworks.map((f) => f.name)).not.toContain("wrong");
    expect(await failures()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/peer="framework",reason="missing"\} [1-9]/),
        expect.stringMatching(/peer="framework",reason="wrong_secret"\} [1-9]/),
      ]),
    );
  });

  it("runs a framework that subscribes with its principal's secret (Marathon's flag names too)", async () => {
    await waitForAgents(masterUrl, 1);
    const secret = file("ads.secret", "s3cret\n");
    const ok = await execute("authenticated", "--principal", "ads", "--secret-file", secret);
    expect(ok.stderr).not.toMatch(/authentication failed/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1 task(s): 1 TASK_FINISHED");
    const aliased = await execute(
      "aliased",
      "--mesos-authentication-principal",
      "ads",
      "--mesos-authentication-secret-file",
      secret,
    );
    expect(aliased.code).toBe(0);
    const state = await httpJson<{
      frameworks: { name: string; principal?: string }[];
      completed_frameworks: { name: string; principal?: string }[];
    }>(`${masterUrl}/master/state`);
    const fw = [...state.frameworks, ...state.completed_frameworks].find((f) => f.name === "authenticated");
    expect(fw?.principal).toBe("ads");
  });
});
