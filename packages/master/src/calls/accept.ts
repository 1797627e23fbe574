import {
  type AgentId,
  add,
  type CallOf,
  contains,
  flatten,
  normalize,
  type OfferId,
  type Resource,
  subtract,
  type TaskId,
  type TaskInfo,
} from "@agora/protocol";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { addDeclineFilter, takeOffer } from "../offers.js";
import type { FrameworkEntry } from "../registry/entries.js";
import { dynamicReservation } from "../roles/reservation-math.js";
import { reserve, unreserve } from "../roles/reservations.js";
import { masterStatus, sendUpdate } from "../task-status.js";
import { authorizeOperations, launchRefusal } from "./authorize.js";
import { launchProblem } from "./launch-validation.js";

/**
 * Accept: validates the offers and any reserve/unreserve operations, applies the operations in
 * order (reservations change the agent's books at once and are persisted before the reply),
 * launches the valid tasks (STAGING, one `runTask` for the agent),
 * answers invalid tasks with TASK_ERROR, and returns the unused resources to the pool behind a
 * decline filter. An accept with invalid offers drops all its tasks (TASK_DROPPED) and fails.
 */
export async function accept(
  ctx: MasterContext,
  framework: FrameworkEntry,
  call: CallOf<"accept">,
): Promise<void> {
  const tasks = call.operations.flatMap((op) =>
    op.type === "launch" || op.type === "launchGroup" ? op.tasks : [],
  );

  let agentId: AgentId;
  try {
    agentId = validateOffers(ctx, framework, call.offerIds);
    validateReservations(ctx, agentId, call);
    authorizeOperations(ctx, framework, call);
  } catch (err) {
    dropInvalidAccept(ctx, framework, call.offerIds, tasks, err instanceof Error ? err.message : String(err));
    throw err;
  }

  const taken = call.offerIds.map((id) => takeOffer(ctx, id)!.offer);
  const agent = ctx.state.agents.get(agentId)!;
  // Offers of one accept may be for several roles; tasks count against the first, as Mesos books them.
  const role = taken[0]?.role ?? framework.role;
  let remaining: Resource[] = normalize(taken.flatMap((o) => o.resources));
  const seen = new Set<TaskId>();
  const launched: TaskInfo[] = [];
  const persisting: Promise<void>[] = [];
  call.operations.forEach((op, i) => {
    const field = `operations.${i}.resources`;
    if (op.type === "reserve") {
      // Reservations apply in memory at once, so the launches after them can use them.
      const reserved = dynamicReservation(op.resources, field);
      persisting.push(reserve(ctx, agent, reserved, { field, checkQuota: false }));
      remaining = add(subtract(remaining, flatten(reserved)), reserved);
      return;
    }
    if (op.type === "unreserve") {
      const reserved = dynamicReservation(op.resources, field);
      persisting.push(unreserve(ctx, agent, reserved, { field }));
      remaining = add(subtract(remaining, reserved), flatten(reserved));
      return;
    }
    for (const task of op.tasks) {
      const problem = launchProblem(task, agentId, remaining, seen, (id) => framework.tasks.has(id));
      seen.add(task.taskId);
      const refusal = problem === undefined ? launchRefusal(ctx, framework, task) : undefined;
      if (refusal) {
        sendUpdate(
          ctx,
          framework.id,
          masterStatus(ctx, task.taskId, task.agentId, "TASK_ERROR", "REASON_TASK_UNAUTHORIZED", refusal),
        );
        continue;
      }
      if (problem) {
        sendUpdate(
          ctx,
          framework.id,
          masterStatus(ctx, task.taskId, task.agentId, "TASK_ERROR", "REASON_TASK_INVALID", problem),
        );
        continue;
      }
      remaining = subtract(remaining, task.resources);
      // The agent's id the books already hold, not the copy each decoded accept brings (~70 bytes a task).
      const booked = { ...task, agentId: agent.id };
      ctx.state.addTask(framework, booked, masterStatus(ctx, task.taskId, agent.id, "TASK_STAGING"), role);
      launched.push(booked);
    }
  });
  if (launched.length > 0) {
    ctx.out.toAgent(agentId, {
      type: "runTask",
      frameworkId: framework.id,
      frameworkInfo: framework.info,
      tasks: launched,
    });
  }
  // As in Mesos, whatever the accept did not use is implicitly declined.
  addDeclineFilter(ctx, framework, agentId, remaining, call.filters?.refuseSeconds);
  ctx.requestAllocation([agentId]);
  await Promise.all(persisting);
}

/**
 * Replays the accept's reserve and unreserve operations on the offered resources before anything
 * happens, so an invalid one fails the whole accept: a reservation must be for the offers' role and
 * within them; an unreserve must name a dynamic reservation of the agent that the offers hold.
 */
function validateReservations(ctx: MasterContext, agentId: AgentId, call: CallOf<"accept">): void {
  const offers = call.offerIds.map((id) => ctx.state.offers.get(id)!.offer);
  const role = offers[0]!.role;
  let pool: Resource[] = normalize(offers.flatMap((o) => o.resources));
  const dynamic = ctx.state.reservations.get(agentId) ?? [];
  call.operations.forEach((op, i) => {
    if (op.type !== "reserve" && op.type !== "unreserve") return;
    const field = `operations.${i}.resources`;
    const reserved = dynamicReservation(op.resources, field);
    if (op.type === "reserve") {
      const other = reserved.findIndex((r) => r.reservation!.role !== role);
      if (other >= 0)
        throw new MasterError("INVALID_OPERATION", `reservations must be for the offer's role '${role}'`, {
          field: `${field}.${other}.reservation.role`,
        });
      if (!contains(pool, flatten(reserved)))
        throw new MasterError("INVALID_OPERATION", "reserve names resources the offers do not hold", {
          field,
        });
      pool = add(subtract(pool, flatten(reserved)), reserved);
    } else {
      if (!contains(pool, reserved) || !contains(dynamic, reserved))
        throw new MasterError("INVALID_OPERATION", "unreserve names no dynamic reservation in the offers", {
          field,
        });
      pool = add(subtract(pool, reserved), flatten(reserved));
    }
  });
}

/** Every offer must be outstanding, belong to the caller, appear once, and all sit on one agent. */
function validateOffers(
  ctx: MasterContext,
  framework: FrameworkEntry,
  offerIds: readonly OfferId[],
): AgentId {
  let agentId: AgentId | undefined;
  const seen = new Set<OfferId>();
  offerIds.forEach((id, i) => {
    const field = `offerIds.${i}`;
    const entry = ctx.state.offers.get(id);
    if (!entry) throw new MasterError("UNKNOWN_OFFER", `Offer ${id} is no longer valid`, { field });
    if (entry.offer.frameworkId !== framework.id) {
      throw new MasterError("INVALID_OFFERS", `Offer ${id} belongs to another framework`, { field });
    }
    if (seen.has(id))
      throw new MasterError("INVALID_OFFERS", `Offer ${id} appears more than once`, { field });
    seen.add(id);
    if (agentId !== undefined && entry.offer.agentId !== agentId) {
      throw new MasterError(
        "INVALID_OFFERS",
        `Offers span several agents (${agentId}, ${entry.offer.agentId})`,
        { field },
      );
    }
    agentId = entry.offer.agentId;
  });
  return agentId!;
}

/** The caller's valid offers go back to the pool (no filter); its tasks are dropped. */
function dropInvalidAccept(
  ctx: MasterContext,
  framework: FrameworkEntry,
  offerIds: readonly OfferId[],
  tasks: readonly TaskInfo[],
  reason: string,
): void {
  const agents = new Set<AgentId>();
  for (const id of offerIds) {
    const offer = ctx.state.offers.get(id)?.offer;
    if (offer?.frameworkId !== framework.id) continue;
    takeOffer(ctx, id);
    agents.add(offer.agentId);
  }
  for (const task of tasks) {
    sendUpdate(
      ctx,
      framework.id,
      masterStatus(ctx, task.taskId, task.agentId, "TASK_DROPPED", "REASON_INVALID_OFFERS", reason),
    );
  }
  ctx.requestAllocation(agents);
}
