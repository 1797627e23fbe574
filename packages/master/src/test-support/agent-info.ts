import { type AgentId, parseResources } from "@agora/protocol";

/** A registered agent's info for tests that build the books directly: host `<id>.test`. */
export const agentInfo = (id: string, resources = "cpus:4;mem:1024") => ({
  id: id as AgentId,
  hostname: `${id}.test`,
  port: 5051,
  resources: parseResources(resources),
  attributes: [],
  capabilities: ["shell"],
  version: "0.1.0",
});
