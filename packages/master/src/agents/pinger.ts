import { decode, encode, Pong } from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { reportInvalid } from "../inbound.js";
import type { AgentEntry } from "../registry/entries.js";
import { removeAgent } from "./removal.js";

/**
 * Pings every registered agent (one ping in flight per agent). A ping unanswered within
 * `agentPingTimeoutMs` is a miss; `maxAgentPingTimeouts` consecutive misses remove the agent.
 */
export function pingAgents(ctx: MasterContext, running: () => boolean): void {
  for (const agent of ctx.state.agents.values()) {
    if (!agent.pingInFlight) void pingAgent(ctx, agent, running);
  }
}

async function pingAgent(ctx: MasterContext, agent: AgentEntry, running: () => boolean): Promise<void> {
  agent.pingInFlight = true;
  const subject = ctx.subjects.agentCommands(agent.id);
  let answered = false;
  try {
    const bytes = await ctx.bus.request(subject, encode({ type: "ping", epoch: ctx.epoch() }), {
      timeoutMs: ctx.options.agentPingTimeoutMs,
    });
    const pong = decode(Pong, bytes);
    if (pong.ok) answered = pong.value.agentId === agent.id;
    else reportInvalid(ctx, subject, pong.error);
  } catch (err) {
    ctx.options.logger.debug({ err, agentId: agent.id }, "ping failed");
  }
  agent.pingInFlight = false;
  // The agent may have been removed or replaced (reregistered) while the ping was out.
  if (!running() || ctx.state.agents.get(agent.id) !== agent) return;
  if (answered) {
    agent.missedPings = 0;
    agent.lastSeenAt = ctx.now();
    return;
  }
  agent.missedPings += 1;
  ctx.options.logger.info({ agentId: agent.id, missed: agent.missedPings }, "agent missed a ping");
  if (agent.missedPings >= ctx.options.maxAgentPingTimeouts) removeAgent(ctx, agent, "unreachable");
}
