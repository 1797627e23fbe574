import { afterEach, describe, expect, it } from "vitest";
import { withLaunchedTasks } from "../test-support/launch.js";
import { buildMasterHttp } from "./app.js";
import { AgentUsageHistory, type UsageSample } from "./usage.js";

const zero = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
const at = (t: number, cpus: number): UsageSample => ({
  t,
  total: { ...zero, cpus: 4 },
  allocated: { ...zero, cpus },
  offered: zero,
});

describe("AgentUsageHistory", () => {
  it("keeps a sample only when the agent's usage changed", () => {
    const h = new AgentUsageHistory(100);
    for (const [t, cpus] of [
      [0, 1],
      [10, 1],
      [20, 2],
      [30, 2],
      [40, 1],
    ] as const)
      h.push("a", at(t, cpus));
    expect(h.samples("a")?.map((s) => [s.t, s.allocated.cpus])).toEqual([
      [0, 1],
      [20, 2],
      [40, 1],
    ]);
    expect(h.samples("b")).toBeUndefined();
  });

  it("forgets what is older than the window but the value that held when the window began", () => {
    const h = new AgentUsageHistory(25);
    for (let t = 0; t <= 100; t += 10) h.push("a", at(t, t));
    // Window at t=100 starts at 75: 70 still held then, 60 and before are gone.
    expect(h.samples("a")?.map((s) => s.t)).toEqual([70, 80, 90, 100]);
  });

  it("holds one entry per steady agent, however long it runs", () => {
    const h = new AgentUsageHistory(3_600_000);
    for (let t = 0; t < 10 * 3_600_000; t += 10_000) h.push("a", at(t, 1));
    expect(h.samples("a")).toHaveLength(1);
  });
});

describe("GET /master/usage/agents/:agentId", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const f of cleanups.splice(0).reverse()) await f();
  });

  it("answers one agent's samples and its usage now; an unknown agent is a 404 naming the field", async () => {
    const s = await withLaunchedTasks(["web-1"]);
    cleanups.push(() => s.h.stop());
    const app = buildMasterHttp(s.h.master, { live: { usageIntervalMs: 5 } });
    cleanups.push(() => app.close());
    await app.ready();
    const agentId = [...s.h.master.snapshot().agents.keys()][0]!;
    let res = await app.inject({ url: `/master/usage/agents/${agentId}` });
    for (let i = 0; i < 200 && res.json().samples.length < 1; i++) {
      await new Promise((r) => setTimeout(r, 5));
      res = await app.inject({ url: `/master/usage/agents/${agentId}` });
    }
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.intervalMs).toBe(5);
    expect(body.current.total).toEqual({ cpus: 4, mem: 4096, disk: 10000, gpus: 0 });
    expect(body.current.allocated).toMatchObject({ cpus: 1, mem: 128 });
    expect(body.samples[0].allocated).toMatchObject({ cpus: 1, mem: 128 });

    const unknown = await app.inject({ url: "/master/usage/agents/nope" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ field: "agentId" });
  });
});
