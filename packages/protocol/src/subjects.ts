import type { AgentId, FrameworkId } from "./ids.js";

/**
 * Bus subjects, namespaced by cluster name so several clusters can share one NATS.
 * Only the leading master subscribes to the `master.*` subjects.
 */
export function subjects(cluster: string) {
  if (!/^[A-Za-z0-9_-]+$/.test(cluster))
    throw new Error(`cluster name '${cluster}' must be a single subject token`);
  const root = `agora.${cluster}`;
  return {
    /** Framework → master calls (request/reply). */
    masterCall: `${root}.master.call`,
    /** Agent → master messages (register/reregister as request/reply, status updates published). */
    masterAgent: `${root}.master.agent`,
    /** Master → framework events. */
    frameworkEvents: (id: FrameworkId) => `${root}.framework.${id}.events`,
    /** Master → agent commands. */
    agentCommands: (id: AgentId) => `${root}.agent.${id}.cmd`,
    /** Every subject of this cluster, for tools that watch the bus. */
    all: `${root}.>`,
  };
}
export type Subjects = ReturnType<typeof subjects>;

export const DEFAULT_CLUSTER = "agora";
