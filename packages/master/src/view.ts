import type { AgentId, ExecutorInfo, FrameworkId, MasterInfo, OfferId, TaskState } from "@agora/protocol";
import type {
  AgentEntry,
  FrameworkEntry,
  OfferEntry,
  TaskEntry,
  UnreachableAgent,
} from "./registry/entries.js";
import type { RoleSummary } from "./roles/role-summary.js";

// Read-only views of the master's registry entries, named after them: @agora/agent's `AgentView`,
// `FrameworkView` and `TaskView` are what an agent's own HTTP API renders, a different thing.
export type AgentEntryView = Readonly<AgentEntry>;
export type FrameworkEntryView = Readonly<FrameworkEntry>;
export type TaskEntryView = Readonly<TaskEntry>;
export type OfferEntryView = Readonly<OfferEntry>;

/**
 * A read-only view of the master for its HTTP API and metrics. It reads the live registry (no
 * copy), so take what you need synchronously and never mutate it.
 */
export interface MasterView {
  readonly id: string;
  readonly epoch: number;
  readonly cluster: string;
  readonly hostname: string;
  readonly masterInfo: MasterInfo;
  /** Clock times in ms. */
  readonly now: number;
  readonly startedAt: number;
  readonly electedAt: number | undefined;
  readonly agents: ReadonlyMap<AgentId, AgentEntryView>;
  readonly unreachableAgents: ReadonlyMap<AgentId, Readonly<UnreachableAgent>>;
  readonly frameworks: ReadonlyMap<FrameworkId, FrameworkEntryView>;
  readonly completedFrameworks: readonly FrameworkEntryView[];
  /**
   * Whether one of a framework's executors is shown (`view_executors`, by the executor's command user,
   * else the framework's); all are when absent (no ACLs).
   */
  readonly executorsVisible?: (f: FrameworkEntryView, executor: ExecutorInfo) => boolean;
  /** Every known role with weight, quota, allocation, reservations and share (computed on call). */
  roles(): RoleSummary[];
  readonly offers: ReadonlyMap<OfferId, OfferEntryView>;
  /** Tasks that reached each terminal state since start. */
  readonly terminalCounts: ReadonlyMap<TaskState, number>;
  readonly counters: {
    readonly invalidMessages: number;
    readonly statusUpdatesRelayed: number;
    readonly lastAllocationRunMs: number;
  };
  readonly options: {
    readonly allocationIntervalMs: number;
    readonly offerTimeoutMs: number | undefined;
    readonly agentPingTimeoutMs: number;
    readonly maxAgentPingTimeouts: number;
    readonly heartbeatIntervalSeconds: number;
  };
}
