import type { DevCluster } from "@agora/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chronosApi } from "./harness/chronos.js";
import { marathonApi } from "./harness/marathon.js";
import { type MesosDev, startMesosDev } from "./harness/mesos-dev.js";
import type { MesosEvent, MesosSchedulerClient } from "./harness/mesos-scheduler.js";
import { waitFor } from "./harness/wait.js";

/** Every task of every framework here: one DRF "slot" of the agent below. */
const TASK = { cpus: 0.5, mem: 64 };
/** Seven slots, and nothing left over once they are taken (leftover mem ≥ 32 would be offered on). */
const SLOTS = 7;
const AGENT = `cpus:${SLOTS * TASK.cpus};mem:${SLOTS * TASK.mem};disk:1024`;

interface StateFramework {
  id: string;
  name: string;
  used_resources: { cpus?: number; mem?: number };
  tasks: Array<{ id: string; state: string }>;
}

/**
 * The last acceptance point of issue 13: a Mesos v1 framework (raw JSON over HTTP) and Agora's own
 * Marathon and Chronos share one agent under DRF, all in the default role.
 *
 * The allocator offers an agent's free resources whole to the framework of lowest dominant share, as
 * Mesos does; Marathon and Chronos fill an offer with everything that fits (Chronos does in Mesos
 * too; Marathon up to `max_instances_per_offer`), and there is no preemption. So on one agent DRF
 * shows in who gets resources as they free up, not in the first offer: a filler framework holds the
 * whole agent, the three competitors start wanting, and the filler's tasks end one at a time. Each
 * freed slot is offered alone and must go to the competitor of lowest share that still wants.
 *
 * Fair here is max-min fairness: Chronos wants one task, less than a third of the agent, so it gets
 * exactly that, and the Mesos framework and Marathon split the other six slots evenly (3 and 3).
 */
describe("DRF between a Mesos v1 framework, Marathon and Chronos", () => {
  let mesos: MesosDev;
  let dev: DevCluster;
  let url: string;

  beforeAll(async () => {
    mesos = await startMesosDev("mesosdrf", { agentResources: AGENT, marathonPort: 0, chronosPort: 0 });
    ({ dev, url } = mesos);
  });

  afterAll(async () => {
    await mesos?.stop();
  });

  const frameworks = async () =>
    ((await (await fetch(`${url}/master/state`)).json()) as { frameworks: StateFramework[] }).frameworks;
  const cpusOf = (f: StateFramework | undefined) => f?.used_resources.cpus ?? 0;

  const subscribe = (name: string) => mesos.subscribe({ name });

  const taskInfo = (id: string, agentId: unknown) => ({
    name: id,
    task_id: { value: id },
    agent_id: agentId,
    resources: [
      { name: "cpus", type: "SCALAR", scalar: { value: TASK.cpus } },
      { name: "mem", type: "SCALAR", scalar: { value: TASK.mem } },
    ],
    command: { value: "sleep 600" },
  });

  const ack = (client: MesosSchedulerClient, status: MesosEvent) =>
    client.call({
      type: "ACKNOWLEDGE",
      framework_id: { value: client.frameworkId },
      acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
    });

  it("gives Chronos the one slot it wants and splits the rest evenly between Mesos and Marathon", async () => {
    // The filler takes the whole agent in one offer, then asks for nothing more.
    const filler = await subscribe("drf-filler");
    const fillerFw = { framework_id: { value: filler.frameworkId } };
    const offer = (await filler.next("OFFERS")).offers.offers[0];
    const fillerTasks = Array.from({ length: SLOTS }, (_, i) => `filler-${i}`);
    const launched = await filler.call({
      type: "ACCEPT",
      ...fillerFw,
      accept: {
        offer_ids: [offer.id],
        operations: [
          { type: "LAUNCH", launch: { task_infos: fillerTasks.map((id) => taskInfo(id, offer.agent_id)) } },
        ],
      },
    });
    expect(launched.status).toBe(202);
    expect((await filler.call({ type: "SUPPRESS", ...fillerFw })).status).toBe(202);
    for (const id of fillerTasks) {
      const running = await filler.next(
        "UPDATE",
        (e) => e.update.status.task_id.value === id && e.update.status.state === "TASK_RUNNING",
      );
      await ack(filler, running.update.status);
    }

    // The Mesos framework wants eight tasks (more than the agent holds), takes one per offer and
    // gives the rest of an offer back at once (refuse_seconds 0), so DRF alone decides what it gets.
    const mesos = await subscribe("drf-mesos");
    const mesosFw = { framework_id: { value: mesos.frameworkId } };
    const mesosWants = 8;
    const mesosRunning = new Set<string>();
    let mesosLaunched = 0;
    let done = false;
    const pump = (async () => {
      while (!done && !mesos.closed) {
        // A short wait per event, so the loop sees `done` soon after the test's teardown.
        const event = await mesos.next(["OFFERS", "UPDATE"], () => true, 1_000).catch(() => undefined);
        if (!event) continue;
        if (event.type === "UPDATE") {
          const status = event.update.status;
          if (status.state === "TASK_RUNNING") mesosRunning.add(status.task_id.value);
          if (status.uuid) await ack(mesos, status);
          continue;
        }
        for (const o of event.offers.offers) {
          const operations =
            mesosLaunched < mesosWants
              ? [
                  {
                    type: "LAUNCH",
                    launch: { task_infos: [taskInfo(`mesos-${mesosLaunched++}`, o.agent_id)] },
                  },
                ]
              : [];
          await mesos.call({
            type: "ACCEPT",
            ...mesosFw,
            accept: { offer_ids: [o.id], operations, filters: { refuse_seconds: 0 } },
          });
        }
      }
    })();

    // Marathon wants eight instances, Chronos one long run.
    const app = await marathonApi(dev.marathonUrl!, "POST", "/v2/apps", {
      id: "/drf-web",
      cmd: "sleep 600",
      cpus: TASK.cpus,
      mem: TASK.mem,
      disk: 0,
      instances: 8,
      portDefinitions: [],
    });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const job = await chronosApi(dev.chronosUrl!, "POST", "/v1/scheduler/iso8601", {
      name: "drf-job",
      command: "sleep 600",
      schedule: "R1//PT1H",
      cpus: TASK.cpus,
      mem: TASK.mem,
      disk: 1,
    });
    expect(job.status, JSON.stringify(job.body)).toBeLessThan(300);

    // All three ask the master for offers before any slot frees up (a late one would find the others
    // ahead of it, which is not what DRF is asked about here).
    const names = ["drf-mesos", "marathon", "chronos"];
    await waitFor("the three competitors to want offers", () => {
      const view = [...dev.master.snapshot().frameworks.values()];
      return names.every((n) => {
        const f = view.find((v) => v.info.name === n && v.active);
        return f !== undefined && !f.suppressedRoles.has("*");
      });
    });

    // Free one slot at a time; each must be taken before the next frees up.
    for (const [n, id] of fillerTasks.entries()) {
      const killed = await filler.call({
        type: "KILL",
        ...fillerFw,
        kill: { task_id: { value: id }, agent_id: offer.agent_id },
      });
      expect(killed.status).toBe(202);
      await ack(
        filler,
        (
          await filler.next(
            "UPDATE",
            (e) => e.update.status.task_id.value === id && e.update.status.state === "TASK_KILLED",
          )
        ).update.status,
      );
      await waitFor(`freed slot ${n + 1} to be taken`, async () => {
        const fs = await frameworks();
        const competitors = fs.filter((f) => names.includes(f.name));
        const held = competitors.reduce((sum, f) => sum + cpusOf(f), 0);
        return held === (n + 1) * TASK.cpus;
      });
    }

    const fs = await frameworks();
    const slots = (name: string) => cpusOf(fs.find((f) => f.name === name)) / TASK.cpus;
    expect(cpusOf(fs.find((f) => f.name === "drf-filler"))).toBe(0);
    // Chronos wants less than a third: it gets what it wants, the two others split the rest.
    expect(slots("chronos")).toBe(1);
    expect(slots("drf-mesos")).toBe(3);
    expect(slots("marathon")).toBe(3);
    // The Mesos framework's tasks really run, and both it and Marathon still want more.
    await waitFor("the Mesos framework's 3 tasks to run", () => mesosRunning.size === 3);
    expect(mesosLaunched).toBeLessThan(mesosWants);
    const queue = await marathonApi<{ queue: Array<{ count: number }> }>(
      dev.marathonUrl!,
      "GET",
      "/v2/queue",
    );
    expect(queue.body.queue.map((q) => q.count)).toEqual([5]);

    // Clean up: every framework's tasks end before the cluster stops.
    expect((await marathonApi(dev.marathonUrl!, "DELETE", "/v2/apps/drf-web?force=true")).status).toBe(200);
    const chronosKill = await chronosApi(dev.chronosUrl!, "DELETE", "/v1/scheduler/task/kill/drf-job");
    expect(chronosKill.status).toBeLessThan(300);
    done = true;
    await pump;
    expect((await mesos.call({ type: "TEARDOWN", ...mesosFw })).status).toBe(202);
    expect((await filler.call({ type: "TEARDOWN", ...fillerFw })).status).toBe(202);
    await waitFor("every task to end", async () => (await frameworks()).every((f) => f.tasks.length === 0), {
      timeoutMs: 60_000,
    });
  }, 120_000);
});
