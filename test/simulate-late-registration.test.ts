import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "@agora/agent";
import { NoopExecutor } from "@agora/agent/internal";
import { Master } from "@agora/master";
import { AgentMessage, decode, parseResources, subjects } from "@agora/protocol";
import { connectNatsBus, MemoryStateStore, type NatsBus } from "@agora/transport";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startNatsServer } from "./harness/nats-server.js";
import { waitFor } from "./harness/wait.js";

const silent = pino({ level: "silent" });

/** A store whose puts of agent records wait until `release()`: a master too busy to answer in time. */
class HeldStore extends MemoryStateStore {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((r) => {
      this.open = r;
    });
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  override async put(...args: Parameters<MemoryStateStore["put"]>): Promise<number> {
    if (this.gate && args[0].startsWith("agents.")) await this.gate;
    return super.put(...args);
  }
}

/**
 * What `agora simulate` saw at thousands of agents: the master answered a registration after the
 * agent's 5 s timeout, the agent retried, and the master registered a second agent (a ghost that
 * got tasks which were lost). Here a real agent and a real master over a real nats-server, the
 * master's registry write held until the agent has sent its retry.
 */
describe("a registration answered after the agent's timeout", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("leaves one agent, under the id the agent got", async () => {
    const nats = await startNatsServer();
    cleanups.push(() => nats.stop());
    const connect = async (name: string): Promise<NatsBus> => {
      const bus = await connectNatsBus({ servers: nats.url, name, logger: silent });
      cleanups.push(() => bus.close());
      return bus;
    };
    const masterBus = await connect("late-master");
    const agentBus = await connect("late-agent");
    const watcher = await connect("late-watcher");

    const store = new HeldStore();
    const master = new Master({ bus: masterBus, store, cluster: "late", logger: silent });
    await master.start({ httpPort: 5050 });
    cleanups.push(() => master.stop());

    let registers = 0;
    watcher.subscribe(subjects("late").masterAgent, (msg) => {
      const m = decode(AgentMessage, msg.data);
      if (m.ok && m.value.type === "register") registers++;
    });
    await watcher.flush();

    store.hold();
    const workDir = mkdtempSync(path.join(os.tmpdir(), "agora-late-registration-"));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    const agent = new Agent({
      bus: agentBus,
      cluster: "late",
      workDir,
      resources: parseResources("cpus:2;mem:1024"),
      executors: { shell: new NoopExecutor() },
      logger: silent,
    });
    cleanups.push(() => agent.stop({ killTasks: true }));
    const started = agent.start({ httpPort: 0 });
    // The first request timed out (5 s) and the agent sent it again: only now may the master answer.
    await waitFor("the agent's retry", () => registers >= 2, { timeoutMs: 20_000 });
    store.release();
    // The agent took the answer to its retry: the master has handled both registrations.
    await started;
    expect([...master.snapshot().agents.keys()]).toEqual([agent.id]);
    expect(agent.counters.registrations).toBe(1);
  }, 40_000);
});
