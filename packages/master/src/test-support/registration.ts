import { type AgentId, encode } from "@agora/protocol";
import type { MasterHarness } from "./harness.js";

/** The error a (re)registration from host `agent.test` is answered with. */
export async function registrationError(h: MasterHarness, type: "register" | "reregister", id?: AgentId) {
  const agentInfo = {
    ...(id === undefined ? {} : { id }),
    hostname: "agent.test",
    port: 5051,
    resources: [],
    attributes: [],
    capabilities: ["shell"],
    version: "0.1.0",
  };
  const message =
    type === "register" ? { type, agentInfo } : { type, agentInfo, tasks: [], frameworks: [], updates: [] };
  const reply = JSON.parse(
    Buffer.from(await h.bus.request(h.subjects.masterAgent, encode(message))).toString(),
  );
  return reply.error as { code: string; field?: string } | undefined;
}
