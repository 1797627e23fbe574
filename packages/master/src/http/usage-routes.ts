import type { AgentId } from "@agora/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import { AgentUsageHistory, agentUsageSample, UsageHistory, usageSample } from "./usage.js";

export interface UsageRoutesOptions {
  master: Master;
  /** Time between samples (ms, default 10 s). */
  intervalMs?: number;
  /** Samples kept (default: an hour's worth). */
  capacity?: number;
}

/**
 * `GET /master/usage`: the last hour of cluster usage, sampled every 10 s by the leading master,
 * so the dashboard's charts are full on first load: `{intervalMs, samples, current}`.
 * `GET /master/usage/agents/:agentId`: the same for one agent, its samples kept only where its
 * usage changed (a step function, see `AgentUsageHistory`).
 */
export async function usageRoutes(app: FastifyInstance, options: UsageRoutesOptions): Promise<void> {
  const { master } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const capacity = options.capacity ?? Math.ceil(3_600_000 / intervalMs);
  const history = new UsageHistory(capacity);
  const agents = new AgentUsageHistory(capacity * intervalMs);
  const sample = () => {
    if (!master.isLeader) return;
    const view = master.snapshot();
    history.push(usageSample(view));
    agents.record(view);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));

  app.get("/master/usage", async () => ({
    intervalMs,
    samples: history.values(),
    current: usageSample(master.snapshot()),
  }));

  app.get(
    "/master/usage/agents/:agentId",
    async (request: FastifyRequest<{ Params: { agentId: string } }>) => {
      const { agentId } = request.params;
      const view = master.snapshot();
      const agent = view.agents.get(agentId as AgentId);
      if (!agent)
        throw new MasterError("NOT_FOUND", `no agent '${agentId}' is registered`, { field: "agentId" });
      return {
        intervalMs,
        samples: agents.samples(agentId) ?? [],
        current: agentUsageSample(agent, view.now),
      };
    },
  );
}
