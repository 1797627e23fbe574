import type { TaskId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildMasterHttp } from "./http/app.js";
import { Master } from "./master.js";
import { withLaunchedTasks } from "./test-support/launch.js";

describe("an agent marked gone by the operator (MARK_AGENT_GONE)", () => {
  it("turns its tasks GONE_BY_OPERATOR, tells it to shut them down, refuses it and answers reconcile with GONE_BY_OPERATOR", async () => {
    const s = await withLaunchedTasks(["t1"]);
    onTestFinished(() => s.h.stop());
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");

    const app = buildMasterHttp(s.h.master);
    onTestFinished(() => app.close());
    const res = await app.inject({ method: "POST", url: `/master/agents/${s.agent.id}/gone` });
    expect(res.statusCode).toBe(200);

    const gone = await s.fw.update("t1", "TASK_GONE_BY_OPERATOR");
    expect(gone.reason).toBe("REASON_AGENT_REMOVED_BY_OPERATOR");
    const shutdown = await s.agent.commands.take((c) => c.type === "shutdownFramework", "shutdownFramework");
    expect(shutdown).toMatchObject({ frameworkId: s.fw.id });
    expect(s.h.master.snapshot().agents.has(s.agent.id)).toBe(false);
    await expect(s.h.reregister(s.agent.id, [])).rejects.toThrow(/reregister failed/);

    await s.fw.call({ type: "reconcile", tasks: [{ taskId: "t9" as TaskId, agentId: s.agent.id }] });
    expect((await s.fw.update("t9")).state).toBe("TASK_GONE_BY_OPERATOR");
    expect((await app.inject({ method: "POST", url: "/master/agents/nobody/gone" })).statusCode).toBe(404);
  });

  it("stays gone for the next leader, which loads it from the registry", async () => {
    const s = await withLaunchedTasks(["t1"]);
    onTestFinished(() => s.h.stop());
    await s.h.master.markAgentGone(s.agent.id);
    await s.h.master.stop();
    const next = new Master({ bus: s.h.bus, store: s.h.store, clock: s.h.clock, cluster: "test" });
    await next.start({ httpPort: 5050 });
    onTestFinished(() => next.stop());
    await expect(s.h.reregister(s.agent.id, [])).rejects.toThrow(/reregister failed/);
    expect(next.snapshot().agents.size).toBe(0);
  });
});
