import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, httpJson, runAgora, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface MesosState {
  slaves: Array<{ id: string; hostname: string }>;
  frameworks: Array<{
    id: string;
    name: string;
    completed_tasks: Array<{ id: string; state: string; slave_id: string }>;
  }>;
  completed_frameworks: Array<{
    id: string;
    name: string;
    completed_tasks: Array<{ id: string; state: string; slave_id: string }>;
  }>;
}

/** Master and two agents as separate processes over a real nats-server, driven by `agora execute`. */
describe("cluster mode over NATS", () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  const procs: Spawned[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-cluster-"));
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url);
    procs.push(master.proc);
    masterUrl = master.url;
    for (const name of ["agent-a", "agent-b"]) {
      procs.push(
        spawnAgent(nats.url, {
          port: await freePort(),
          hostname: name,
          workDir: path.join(dir, name),
          resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
          attributes: `rack:${name}`,
        }),
      );
    }
    await waitForAgents(masterUrl, 2);
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const execute = (...args: string[]) => [
    "execute",
    "--nats",
    nats.url,
    "--cpus",
    "0.1",
    "--mem",
    "16",
    "--timeout",
    "60",
    ...args,
  ];

  it("places 20 tasks on both agents and exits 0 when all finish", async () => {
    const r = await runAgora(
      execute("--name", "twenty", "--instances", "20", "--command", "echo $AGORA_TASK_ID; sleep 0.2"),
    );
    expect(r.stderr).not.toMatch(/"level":50/);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\S+ \S+ TASK_FINISHED/gm)).toHaveLength(20);
    expect(r.stdout).toContain("20 task(s): 20 TASK_FINISHED");
    expect(r.stdout).toContain("on agent-a");
    expect(r.stdout).toContain("on agent-b");

    const state = await httpJson<MesosState>(`${masterUrl}/master/state`);
    const fw = [...state.completed_frameworks, ...state.frameworks].find((f) => f.name === "twenty")!;
    expect(fw.completed_tasks).toHaveLength(20);
    expect(new Set(fw.completed_tasks.map((t) => t.slave_id)).size).toBe(2);
  });

  it("reports a command that exits 3 as TASK_FAILED and exits non-zero", async () => {
    const r = await runAgora(execute("--name", "fails", "--command", "exit 3"));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("TASK_FAILED");
    expect(r.stdout).toContain("status 3");
  });

  it("kills a running task when interrupted: it ends TASK_KILLED", async () => {
    const p = spawnAgora(execute("--name", "killme", "--command", "sleep 300"));
    procs.push(p);
    await waitFor("the task to run", () => p.stdout().includes("TASK_RUNNING"), { timeoutMs: 30_000 });
    p.signal("SIGTERM");
    const code = await p.exited();
    expect(p.stdout()).toContain("TASK_KILLED");
    expect(code).not.toBe(0);
  });

  it("drops and counts garbage and schema-violating messages, and keeps serving", async () => {
    const { connectNatsBus } = await import("@agora/transport");
    const { encode, CallReply, decode } = await import("@agora/protocol");
    const before = await httpJson<Record<string, number>>(`${masterUrl}/metrics/snapshot`);
    const bus = await connectNatsBus({ servers: nats.url });
    try {
      bus.publish("agora.agora.master.call", new TextEncoder().encode("\u0000not json at all"));
      bus.publish("agora.agora.master.agent", new TextEncoder().encode('{"type":"register"}'));
      bus.publish(
        "agora.agora.master.agent",
        encode({ type: "statusUpdate", agentId: "nobody", updates: [{ bogus: true }] }),
      );
      const reply = decode(
        CallReply,
        await bus.request(
          "agora.agora.master.call",
          encode({ type: "accept", frameworkId: "f1", offerIds: [] }),
        ),
      );
      expect(reply.ok && !reply.value.ok && reply.value.error).toMatchObject({
        code: "INVALID_CALL",
        field: "offerIds",
      });
      await bus.flush();
    } finally {
      await bus.close();
    }
    await waitFor("invalid messages counted", async () => {
      const after = await httpJson<Record<string, number>>(`${masterUrl}/metrics/snapshot`);
      return (after["master/invalid_messages"] ?? 0) - (before["master/invalid_messages"] ?? 0) >= 4;
    });
    expect((await fetch(`${masterUrl}/health`)).ok).toBe(true);
    const r = await runAgora(execute("--name", "after-garbage", "--command", "true"));
    expect(r.code).toBe(0);
  });
});
