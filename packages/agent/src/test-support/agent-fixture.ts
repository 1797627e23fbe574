import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Resource } from "@agora/protocol";
import { type Clock, InProcessBus } from "@agora/transport";
import { Agent, type AgentOptions } from "../agent.js";
import { FakeMaster } from "./fake-master.js";

export const AGENT_RESOURCES: Resource[] = [
  { name: "cpus", scalar: 4 },
  { name: "mem", scalar: 4096 },
  { name: "disk", scalar: 10_000 },
  { name: "ports", ranges: [{ begin: 31000, end: 32000 }] },
];

export interface AgentFixture {
  bus: InProcessBus;
  master: FakeMaster;
  agent: Agent;
  workDir: string;
  /** Stops the agent (killing its tasks), the master and the bus, and removes the work directory. */
  close(): Promise<void>;
}

/** An agent registered with a fake master over an in-process bus, in a fresh temporary work directory. */
export async function startAgent(
  options: Partial<AgentOptions> & { clock?: Clock; autoAck?: boolean } = {},
): Promise<AgentFixture> {
  const bus = new InProcessBus();
  const master = new FakeMaster(bus);
  master.autoAck = options.autoAck ?? true;
  master.start();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-agent-"));
  const agent = new Agent({ bus, workDir, resources: AGENT_RESOURCES, hostname: "test-host", ...options });
  await agent.start({ httpPort: 5051 });
  return {
    bus,
    master,
    agent,
    workDir,
    close: async () => {
      await agent.stop({ killTasks: true });
      master.stop();
      await bus.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
