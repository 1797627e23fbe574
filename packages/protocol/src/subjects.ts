import type { AgentId, FrameworkId } from "./ids.js";

/**
 * A principal as one subject token: letters, digits, `_` and `-` stay, any other byte becomes `%XX`
 * (and `%` itself `%25`), so every principal has exactly one token and no two share it.
 */
export function principalToken(principal: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(principal)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Bus subjects, namespaced by cluster name so several clusters can share one NATS.
 * Only the leading master subscribes to the `master.*` subjects.
 *
 * A framework with a principal calls on, and hears on, subjects that name its principal, so that
 * nats-server can let each principal's NATS user publish only its own calls and read only its own
 * events (see `agora nats-config`); the master checks that a call on a principal's subject is for
 * one of that principal's frameworks.
 */
export function subjects(cluster: string) {
  if (!/^[A-Za-z0-9_-]+$/.test(cluster))
    throw new Error(`cluster name '${cluster}' must be a single subject token`);
  const root = `agora.${cluster}`;
  return {
    /** Framework → master calls (request/reply) of frameworks without a principal. */
    masterCall: `${root}.master.call`,
    /** What the master subscribes to for every principal's calls (the last token is the principal). */
    principalCalls: `${root}.master.call.*`,
    /**
     * The master's own liveness tick through its subscription to principals' calls (no principal's
     * token is this one: `%` is followed by two hex digits there).
     */
    masterLivenessTick: `${root}.master.call.%liveness`,
    /** Where a framework with this principal (or none) sends its calls. */
    callsOf: (principal: string | undefined) =>
      principal === undefined ? `${root}.master.call` : `${root}.master.call.${principalToken(principal)}`,
    /** Agent → master messages (register/reregister as request/reply, status updates published). */
    masterAgent: `${root}.master.agent`,
    /** Master → framework events; a framework with a principal hears under its principal's token. */
    frameworkEvents: (id: FrameworkId, principal?: string) =>
      principal === undefined
        ? `${root}.framework.${id}.events`
        : `${root}.framework.${principalToken(principal)}.${id}.events`,
    /** Master → agent commands. */
    agentCommands: (id: AgentId) => `${root}.agent.${id}.cmd`,
    /** Every subject of this cluster, for tools that watch the bus. */
    all: `${root}.>`,
  };
}
export type Subjects = ReturnType<typeof subjects>;

export const DEFAULT_CLUSTER = "agora";
