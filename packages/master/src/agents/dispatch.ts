import { AgentMessage } from "@agora/protocol";
import type { BusMessage } from "@agora/transport";
import type { MasterContext } from "../context.js";
import { decodeInbound, errorReply, respond } from "../inbound.js";
import { registerAgent, reregisterAgent } from "./register.js";
import { removeAgent } from "./removal.js";
import { applyStatusUpdates } from "./status-update.js";

/**
 * Handles one message on `masterAgent`; failures are answered (requests) or logged, never thrown.
 * Only a registration waits (for the registry); status updates and the rest are handled before this
 * returns, without a promise, so the bus's dispatcher runs the next message inline.
 */
export function handleAgentMessage(ctx: MasterContext, msg: BusMessage): Promise<void> | undefined {
  const m = decodeInbound(ctx, AgentMessage, msg, "INVALID_MESSAGE");
  if (!m) return undefined;
  const failed = (err: unknown) => respond(msg, errorReply(ctx, err));
  try {
    switch (m.type) {
      case "register":
        return registerAgent(ctx, msg, m).catch(failed);
      case "reregister":
        return reregisterAgent(ctx, msg, m).catch(failed);
      case "statusUpdate":
        applyStatusUpdates(ctx, m.agentId, m.updates);
        break;
      case "executorMessage":
        // Best effort, as in Mesos: relayed only while the master knows the framework.
        if (ctx.state.frameworks.has(m.frameworkId))
          ctx.out.toFramework(m.frameworkId, {
            type: "message",
            agentId: m.agentId,
            executorId: m.executorId,
            data: m.data,
          });
        break;
      case "unregister": {
        const agent = ctx.state.agents.get(m.agentId);
        if (agent) removeAgent(ctx, agent, "unregistered");
        break;
      }
    }
  } catch (err) {
    failed(err);
  }
  return undefined;
}
