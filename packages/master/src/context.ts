import type { AgentId, MasterInfo, Subjects } from "@agora/protocol";
import type { Authorization } from "@agora/security";
import type { Bus, StateStore } from "@agora/transport";
import type { Authentication } from "./authentication.js";
import type { MasterMetrics } from "./metrics.js";
import type { ResolvedMasterOptions } from "./options.js";
import type { Outbox } from "./outbox.js";
import type { MasterState } from "./registry/master-state.js";

/** What the master's handlers share: its state, its ways out, and its settings. */
export interface MasterContext {
  readonly state: MasterState;
  readonly out: Outbox;
  readonly bus: Bus;
  readonly subjects: Subjects;
  readonly store: StateStore;
  readonly metrics: MasterMetrics;
  readonly options: ResolvedMasterOptions;
  readonly masterInfo: MasterInfo;
  /** The ACLs' checks; undefined when the master runs without `--acls` (everything allowed). */
  readonly authorization: Authorization | undefined;
  /** Who must present credentials on the bus, and the check of those that are presented. */
  readonly authentication: Authentication;
  epoch(): number;
  /** Clock time in ms. */
  now(): number;
  /**
   * Runs an allocation cycle soon (coalesced: many requests in one tick make one cycle). Given the
   * agents an event changed (registered, resources freed or declined), that cycle visits only them,
   * as Mesos' `allocate(agentIds)`; without, every agent. The periodic cycle visits every agent.
   */
  requestAllocation(agents?: Iterable<AgentId>): void;
  /**
   * Runs the launch check within `LAUNCH_CHECK_REFILL_MS` (coalesced): a reregistration that answered
   * one frees a place in its window for the next agent, without waiting for the periodic check.
   */
  requestLaunchCheck(): void;
  /** Mints the next agent id, Mesos-style: `<master id>-S<n>`. */
  nextAgentId(): AgentId;
}

/** Seconds since the epoch, as Mesos timestamps are. */
export function seconds(ms: number): number {
  return ms / 1000;
}
