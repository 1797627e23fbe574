import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "@agora/agent";
import { NoopExecutor } from "@agora/agent/internal";
import { Scheduler } from "@agora/framework-sdk";
import { type Offer, parseResources, scalarOf, type TaskInfoInput } from "@agora/protocol";
import { type Bus, connectNatsBus } from "@agora/transport";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { httpJson, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

const silent = pino({ level: "silent" });
const AGENTS = 8;
const AGENT_RESOURCES = "cpus:2;mem:2048";
const CLUSTER_CPUS = 16;

interface RolesResponse {
  roles: Array<{ name: string; allocated: { cpus: number }; weight: number }>;
}

/**
 * The hierarchical allocator end to end: a master process over a real nats-server, agents
 * in-process (long no-op tasks hold their resources), frameworks through the SDK.
 */
describe("roles over NATS", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function startMaster() {
    const nats = await startNatsServer({ jetstream: true });
    cleanups.push(() => nats.stop());
    const port = await freePort();
    const master: Spawned = spawnAgora([
      "master",
      "--nats",
      nats.url,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--allocation-interval",
      "200ms",
    ]);
    cleanups.push(async () => {
      await master.stop();
    });
    const url = `http://127.0.0.1:${port}`;
    // /health answers before the master leads; /master/state only once it does (503 until then).
    await waitFor("the master to lead", async () => (await fetch(`${url}/master/state`)).ok);
    const bus = await connectNatsBus({ servers: nats.url, logger: silent });
    cleanups.push(() => bus.close());
    return { url, bus };
  }

  async function startAgents(bus: Bus, count: number) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-roles-"));
    const agents: Agent[] = [];
    cleanups.push(async () => {
      for (const a of agents) await a.stop({ killTasks: true });
      rmSync(dir, { recursive: true, force: true });
    });
    for (let i = 0; i < count; i++) {
      const agent = new Agent({
        bus,
        workDir: path.join(dir, `agent-${i}`),
        hostname: `agent-${i}`,
        resources: parseResources(AGENT_RESOURCES),
        executors: { shell: new NoopExecutor({ runMs: 10 * 60_000 }) },
        logger: silent,
      });
      agents.push(agent);
      await agent.start({ httpPort: 0 });
    }
  }

  /** A framework that launches 1-cpu tasks into every offer it gets, for as long as it runs. */
  async function greedyFramework(bus: Bus, name: string, role: string) {
    const scheduler = new Scheduler({ bus, framework: { name, roles: [role] }, logger: silent });
    cleanups.push(() => scheduler.close());
    let launched = 0;
    scheduler.on("offers", (offers: Offer[]) => {
      for (const offer of offers) {
        const tasks: TaskInfoInput[] = [];
        const count = Math.min(
          Math.floor(scalarOf(offer.resources, "cpus")),
          Math.floor(scalarOf(offer.resources, "mem") / 1024),
        );
        for (let i = 0; i < count; i++) {
          tasks.push({
            taskId: `${name}-${launched++}`,
            name,
            agentId: offer.agentId,
            resources: parseResources("cpus:1;mem:1024"),
            command: { value: "sleep 600" },
          });
        }
        void scheduler.launch(offer, tasks).catch(() => {});
      }
    });
    await scheduler.subscribe();
    return scheduler;
  }

  const cpusOf = async (url: string, role: string) =>
    (await httpJson<RolesResponse>(`${url}/master/roles`)).roles.find((r) => r.name === role)?.allocated
      .cpus ?? 0;

  it("splits the cluster 1:3 between roles weighted 1 and 3 when both always want more", async () => {
    const { url, bus } = await startMaster();
    const put = await fetch(`${url}/weights`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { role: "light", weight: 1 },
        { role: "heavy", weight: 3 },
      ]),
    });
    expect(put.status).toBe(200);
    await greedyFramework(bus, "light-fw", "light");
    await greedyFramework(bus, "heavy-fw", "heavy");
    await startAgents(bus, AGENTS);

    const heavy = await waitFor("the cluster to be full", async () => {
      const [l, h] = [await cpusOf(url, "light"), await cpusOf(url, "heavy")];
      return l + h === CLUSTER_CPUS ? h : undefined;
    });
    // The dominant resource (cpus and mem go in step here) within 10% of a 1:3 split.
    expect(Math.abs(heavy / CLUSTER_CPUS - 0.75)).toBeLessThanOrEqual(0.075);
  });

  it("meets a role's quota guarantee even when a greedy framework subscribed first", async () => {
    const { url, bus } = await startMaster();
    const post = await fetch(`${url}/quota`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: "owed", guarantee: [{ name: "cpus", scalar: 4 }] }),
    });
    expect(post.status).toBe(200);
    await greedyFramework(bus, "greedy-fw", "greedy");
    await startAgents(bus, AGENTS);
    // The greedy framework takes everything but the headroom held for the guarantee.
    await waitFor(
      "the greedy framework to take what it may",
      async () => (await cpusOf(url, "greedy")) === 12,
    );

    await greedyFramework(bus, "owed-fw", "owed");
    await waitFor("the guarantee to be met", async () => (await cpusOf(url, "owed")) >= 4);
    expect(await cpusOf(url, "greedy")).toBe(12);
  });
});
