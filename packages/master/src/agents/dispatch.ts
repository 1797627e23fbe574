import { AgentMessage } from "@agora/protocol";
import type { BusMessage } from "@agora/transport";
import type { MasterContext } from "../context.js";
import { decodeInbound, errorReply, respond } from "../inbound.js";
import { registerAgent, reregisterAgent } from "./register.js";
import { removeAgent } from "./removal.js";
import { applyStatusUpdates } from "./status-update.js";

/** Handles one message on `masterAgent`; failures are answered (requests) or logged, never thrown. */
export async function handleAgentMessage(ctx: MasterContext, msg: BusMessage): Promise<void> {
  const m = decodeInbound(ctx, AgentMessage, msg, "INVALID_MESSAGE");
  if (!m) return;
  try {
    switch (m.type) {
      case "register":
        await registerAgent(ctx, msg, m);
        break;
      case "reregister":
        await reregisterAgent(ctx, msg, m);
        break;
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
    respond(msg, errorReply(ctx, err));
  }
}
