import type { AgentId, FrameworkId, MasterInfo, OfferId, TaskState } from "@agora/protocol";
import type {
  AgentEntry,
  FrameworkEntry,
  OfferEntry,
  TaskEntry,
  UnreachableAgent,
} from "./registry/entries.js";
import type { RoleSummary } from "./roles/role-summary.js";

export type AgentView = Readonly<AgentEntry>;
export type FrameworkView = Readonly<FrameworkEntry>;
export type TaskView = Readonly<TaskEntry>;
export type OfferView = Readonly<OfferEntry>;

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
  readonly agents: ReadonlyMap<AgentId, AgentView>;
  readonly unreachableAgents: ReadonlyMap<AgentId, Readonly<UnreachableAgent>>;
  readonly frameworks: ReadonlyMap<FrameworkId, FrameworkView>;
  readonly completedFrameworks: readonly FrameworkView[];
  /** Every known role with weight, quota, allocation, reservations and share (computed on call). */
  roles(): RoleSummary[];
  readonly offers: ReadonlyMap<OfferId, OfferView>;
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
