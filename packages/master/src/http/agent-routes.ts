import type { FastifyInstance } from "fastify";
import type { Master } from "../master.js";
import { authorize } from "./authorize.js";

export interface AgentRoutesOptions {
  master: Master;
}

/**
 * Operator actions on agents: `POST /master/agents/:id/gone` (Mesos' MARK_AGENT_GONE): the agent's
 * tasks become `TASK_GONE_BY_OPERATOR` and its id is refused from now on; 404 for an unknown agent.
 */
export async function agentRoutes(app: FastifyInstance, { master }: AgentRoutesOptions): Promise<void> {
  app.post<{ Params: { id: string } }>("/master/agents/:id/gone", async (request, reply) => {
    // Mesos' mark_agents_gone takes no object: only ANY or NONE rules decide.
    authorize(master, request, "mark_agents_gone", [undefined]);
    await master.markAgentGone(request.params.id);
    return reply.code(200).send({});
  });
}
