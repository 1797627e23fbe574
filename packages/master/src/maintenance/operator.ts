import { type FrameworkId, isTerminalState } from "@agora/protocol";
import { removeAgent } from "../agents/removal.js";
import type { MasterContext } from "../context.js";
import { rescindAllOffers } from "../offers.js";
import { persist } from "../persistence.js";
import type { MasterState } from "../registry/master-state.js";
import { registryKeys } from "../registry/records.js";
import {
  applySchedule,
  bringDown,
  bringUp,
  hostUnavailability,
  isHostDown,
  type MachineId,
  type MaintenanceSchedule,
  type MaintenanceState,
} from "./schedule.js";

/** One maintenance change at a time per master: each is computed from the state the last one left. */
const queues = new WeakMap<MasterState, Promise<unknown>>();

/**
 * Replaces the maintenance schedule (persisted before it applies). Agents whose machine's
 * unavailability changed have their offers rescinded, as Mesos does, so the next ones carry it.
 */
export function updateSchedule(ctx: MasterContext, schedule: MaintenanceSchedule): Promise<void> {
  return change(ctx, (state) => applySchedule(state, schedule));
}

/**
 * Mesos' `/machine/down`: the machines become DOWN (persisted first). Each registered agent on them is
 * told to shut its frameworks' tasks down and removed, its tasks `TASK_GONE` (Agora agents have no
 * whole-agent shutdown command); it is refused (`MACHINE_DOWN`) until the machine is up again.
 */
export function machinesDown(ctx: MasterContext, machines: readonly MachineId[]): Promise<void> {
  return change(ctx, (state) => bringDown(state, machines));
}

/** Mesos' `/machine/up`: DOWN machines leave maintenance (and the schedule); their agents may register again. */
export function machinesUp(ctx: MasterContext, machines: readonly MachineId[]): Promise<void> {
  return change(ctx, (state) => bringUp(state, machines));
}

function change(ctx: MasterContext, next: (state: MaintenanceState) => MaintenanceState): Promise<void> {
  const run = (queues.get(ctx.state) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      const before = ctx.state.maintenance;
      const after = next(before);
      await persist(ctx, registryKeys.maintenance, after);
      ctx.state.maintenance = after;
      applyToAgents(ctx, before, after);
    });
  queues.set(ctx.state, run);
  return run;
}

function applyToAgents(ctx: MasterContext, before: MaintenanceState, after: MaintenanceState): void {
  for (const agent of [...ctx.state.agents.values()]) {
    const host = agent.info.hostname;
    if (isHostDown(after, host)) {
      const frameworks = new Set<FrameworkId>();
      for (const task of agent.tasks.values())
        if (!isTerminalState(task.state)) frameworks.add(task.frameworkId);
      for (const frameworkId of frameworks)
        ctx.out.toAgent(agent.id, { type: "shutdownFramework", frameworkId });
      ctx.options.logger.warn(
        { agentId: agent.id, hostname: host },
        "machine is DOWN for maintenance: agent removed",
      );
      removeAgent(ctx, agent, "machineDown");
    } else if (!sameUnavailability(hostUnavailability(before, host), hostUnavailability(after, host))) {
      rescindAllOffers(ctx, agent.offers);
    }
  }
  ctx.requestAllocation();
}

function sameUnavailability(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
