import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createUser } from "@nats-io/nkeys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, runAgora, type Spawned } from "./harness/processes.js";

/** `--nats-creds` with nkey seeds: nats-server knows each role by its public nkey alone. */
describe("bus identity: NATS nkeys (--nats-creds)", () => {
  let nats: NatsServerHandle;
  let dir: string;
  const seeds: Record<string, string> = {};
  const procs: Spawned[] = [];

  /** A fresh user nkey: its seed written to a file (what --nats-creds reads), its public key returned. */
  const nkey = (name: string) => {
    const user = createUser();
    seeds[name] = path.join(dir, `${name}.nk`);
    writeFileSync(seeds[name], `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    return user.getPublicKey();
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-bus-nkeys-"));
    const known = ["master", "agent", "framework"].map(nkey);
    nkey("stranger");
    nats = await startNatsServer({
      jetstream: true,
      config: `authorization {\n  users = [\n${known.map((k) => `    { nkey: ${k} }`).join("\n")}\n  ]\n}\n`,
    });
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const execute = (seed: string) =>
    runAgora([
      "execute",
      "--nats",
      nats.url,
      "--nats-creds",
      seed,
      "--name",
      "nkey-framework",
      "--cpus",
      "0.1",
      "--mem",
      "16",
      "--timeout",
      "60",
      "--command",
      "echo signed in",
    ]);

  it("runs a master, an agent and a framework, each signing in with its own nkey seed", async () => {
    const master = await startMaster(nats.url, ["--nats-creds", seeds.master!]);
    procs.push(master.proc);
    procs.push(
      spawnAgent(nats.url, {
        port: await freePort(),
        hostname: "nkey-agent",
        workDir: path.join(dir, "agent"),
        resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
        extra: ["--nats-creds", seeds.agent!],
      }),
    );
    await waitForAgents(master.url, 1);
    const r = await execute(seeds.framework!);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 task(s): 1 TASK_FINISHED");
  });

  it("refuses a seed nats-server does not know", async () => {
    const r = await execute(seeds.stranger!);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^agora: cannot connect to NATS at .*Authorization Violation/i);
  });
});
