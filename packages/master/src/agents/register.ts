import { isDeepStrictEqual } from "node:util";
import {
  type AgentId,
  type AgentMessageOf,
  type AgentRegistered,
  type Credential,
  canTransition,
  type FrameworkInfo,
  isTerminalState,
  type StatusUpdate,
} from "@agora/protocol";
import type { BusMessage } from "@agora/transport";
import { sendKill } from "../calls/task-calls.js";
import { type MasterContext, seconds } from "../context.js";
import { MasterError } from "../errors.js";
import { respond } from "../inbound.js";
import { isHostDown } from "../maintenance/schedule.js";
import { rescindAllOffers } from "../offers.js";
import { persist, unpersist } from "../persistence.js";
import type { AgentEntry, TaskEntry } from "../registry/entries.js";
import { registryKeys } from "../registry/records.js";
import { withReservations } from "../roles/reservation-math.js";
import { masterStatus, sendUpdate } from "../task-status.js";
import { dropUnreceivedLaunches } from "./launch-check.js";
import { applyStatusUpdates } from "./status-update.js";

/**
 * Register: mint an id, store the agent, reply `registered`, and allocate its resources soon. A
 * retry from the same agent process (its `instanceId`: our answer came after its timeout) is
 * answered with the id already given, as Mesos answers a retry from a registered pid. An agent that
 * will confirm (`confirmsListening`) is offered only once it says it listens under its id
 * (`listeningAs`): a launch sent before its subscription reached NATS would be lost.
 */
export async function registerAgent(
  ctx: MasterContext,
  msg: BusMessage,
  m: AgentMessageOf<"register">,
): Promise<void> {
  admitAgent(ctx, m);
  const known = m.instanceId === undefined ? undefined : registeredInstance(ctx, m.instanceId);
  if (known) {
    if (m.listeningAs === known) {
      activate(ctx, known);
    } else {
      ctx.options.logger.info(
        { agentId: known, hostname: m.agentInfo.hostname },
        "agent registration retried",
      );
    }
    respond(msg, registered(ctx, known));
    return;
  }
  refuseOnDownMachine(ctx, m.agentInfo.hostname);
  const id = ctx.nextAgentId();
  const info = { ...m.agentInfo, id };
  await persist(ctx, registryKeys.agent(id), info);
  const agent = ctx.state.addAgent(info, ctx.now());
  if (m.instanceId !== undefined) {
    agent.instanceId = m.instanceId;
    ctx.state.agentInstances.set(m.instanceId, id);
    // Without its instanceId the confirmation could not be told from another agent's registration.
    if (m.confirmsListening) agent.active = false;
  }
  ctx.options.logger.info({ agentId: id, hostname: info.hostname }, "agent registered");
  respond(msg, registered(ctx, id));
  if (agent.active) ctx.requestAllocation([id]);
}

/** The agent listens under its id now: its resources can be offered. */
function activate(ctx: MasterContext, id: AgentId): void {
  const agent = ctx.state.agents.get(id);
  if (!agent || agent.active) return;
  agent.active = true;
  ctx.options.logger.debug({ agentId: id }, "agent listening: offering its resources");
  ctx.requestAllocation([id]);
}

/**
 * Reregister: a known agent is restored with what it reports, an unknown one admitted under its
 * id. Reported tasks are booked (frameworks the master does not know yet are recovered as
 * disconnected, to be resumed by their re-subscribe); tasks a framework asked to kill that the
 * agent still reports live are killed again; its unacknowledged updates this master has not booked
 * yet are relayed.
 */
export async function reregisterAgent(
  ctx: MasterContext,
  msg: BusMessage,
  m: AgentMessageOf<"reregister">,
): Promise<void> {
  admitAgent(ctx, m);
  const info = m.agentInfo;
  if (ctx.state.goneAgents.has(info.id)) {
    throw new MasterError("AGENT_GONE", `agent ${info.id} was marked gone by the operator`, {
      field: "agentInfo.id",
    });
  }
  refuseOnDownMachine(ctx, info.hostname);
  if (!isRecorded(ctx, info)) await persist(ctx, registryKeys.agent(info.id), info);
  if (ctx.state.unreachableAgents.has(info.id)) unpersist(ctx, registryKeys.unreachable(info.id));
  const now = ctx.now();
  const agent = restoreAgent(ctx, info, now);
  const kills: TaskEntry[] = [];
  for (const reported of m.tasks) {
    const framework =
      ctx.state.frameworks.get(reported.frameworkId) ??
      recoverFramework(ctx, m.frameworks, reported.frameworkId, now);
    if (!framework) continue;
    const known = framework.tasks.get(reported.task.taskId);
    const status = masterStatus(
      ctx,
      reported.task.taskId,
      agent.id,
      reported.state,
      "REASON_AGENT_REREGISTERED",
    );
    if (!known) {
      ctx.state.addTask(framework, reported.task, status);
    } else if (known.agentId === agent.id) {
      const changed = known.state !== reported.state && canTransition(known.state, reported.state);
      if (changed) ctx.state.applyStatus(known, status);
      ctx.state.attachTask(known);
      if (changed && framework.connected) sendUpdate(ctx, framework.id, status);
      if (known.killRequested && !isTerminalState(reported.state)) kills.push(known);
    }
  }
  dropUnreceivedLaunches(ctx, agent, m);
  ctx.options.logger.info({ agentId: agent.id, tasks: m.tasks.length }, "agent reregistered");
  respond(msg, registered(ctx, agent.id));
  // As Mesos: a kill the agent never got (it was restarting, or moving to another NATS server) goes again.
  for (const task of kills) sendKill(ctx, task);
  const unseen = m.updates.filter((u) => !alreadyBooked(ctx, agent.id, u));
  if (unseen.length > 0) applyStatusUpdates(ctx, agent.id, unseen);
  ctx.requestAllocation([agent.id]);
}

/**
 * An in-flight update this master already booked was relayed when it came, and the agent keeps
 * resending it until acknowledged. Relaying it again for every reregistration (a launch check asks a
 * master's slowest agents to reregister) added a copy per update just when the master was behind;
 * Mesos' reregistration carries no updates at all, only the agent's resends.
 */
function alreadyBooked(ctx: MasterContext, agentId: AgentId, u: StatusUpdate): boolean {
  const task = ctx.state.frameworks.get(u.frameworkId)?.tasks.get(u.status.taskId);
  return task?.agentId === agentId && task.statuses.some((s) => s.uuid === u.status.uuid);
}

/**
 * Mesos' `--authenticate_agents`: the agent's credential, checked before anything of it is believed;
 * then Mesos' `register_agents` ACL, whose object is implicit (only ANY and NONE rules decide) and
 * whose subject is the authenticated principal: one that came without its secret proves nothing, so
 * that agent asks as the anonymous principal. A refusal is logged, counted and answered FORBIDDEN.
 */
function admitAgent(ctx: MasterContext, m: AgentMessageOf<"register" | "reregister">): void {
  const credential: Partial<Credential> = m.credential ?? {};
  ctx.authentication.check("agent", credential, {
    principal: "credential.principal",
    secret: "credential.secret",
  });
  const principal = credential.secret === undefined ? undefined : credential.principal;
  ctx.authorization?.check("register_agents", principal, undefined);
}

/**
 * True when the registry already holds exactly this agent: the master books an agent only once its
 * record is written (or read back on takeover) and forgets it when it deletes the record. A known
 * agent reregistering unchanged (asked by the launch check, after a reconnect or a silent master)
 * then costs no write, as in Mesos, where only a changed agent goes through the registrar. Awaited,
 * each write held every agent message behind it (status updates too) until the master's next turns
 * of the event loop read the store's answer: 0.1-1 s each while it is behind (docs/simulate.md).
 */
function isRecorded(ctx: MasterContext, info: AgentMessageOf<"reregister">["agentInfo"]): boolean {
  const agent = ctx.state.agents.get(info.id);
  return agent !== undefined && isDeepStrictEqual(agent.info, info);
}

/** The id an agent process registered under, while that agent is still registered. */
function registeredInstance(ctx: MasterContext, instanceId: string): AgentId | undefined {
  const id = ctx.state.agentInstances.get(instanceId);
  return id !== undefined && ctx.state.agents.has(id) ? id : undefined;
}

/** As Mesos: an agent on a machine the operator brought down may not (re)register until it is up. */
function refuseOnDownMachine(ctx: MasterContext, hostname: string): void {
  if (isHostDown(ctx.state.maintenance, hostname))
    throw new MasterError("MACHINE_DOWN", `machine ${hostname} is DOWN for maintenance`, {
      field: "agentInfo.hostname",
    });
}

function restoreAgent(
  ctx: MasterContext,
  info: AgentMessageOf<"reregister">["agentInfo"],
  now: number,
): AgentEntry {
  const agent = ctx.state.agents.get(info.id);
  if (!agent) {
    const added = ctx.state.addAgent(info, now);
    added.reregisteredAt = now;
    return added;
  }
  // Its resources may have changed: withdraw what was offered before re-measuring the pool.
  rescindAllOffers(ctx, agent.offers);
  agent.info = info;
  ctx.state.setAgentTotal(agent, withReservations(info.resources, ctx.state.reservations.get(info.id) ?? []));
  agent.active = true;
  agent.missedPings = 0;
  agent.reregisteredAt = now;
  agent.lastSeenAt = now;
  return agent;
}

function recoverFramework(
  ctx: MasterContext,
  reported: readonly (FrameworkInfo & { id: NonNullable<FrameworkInfo["id"]> })[],
  id: NonNullable<FrameworkInfo["id"]>,
  now: number,
) {
  if (ctx.state.isCompletedFramework(id)) return undefined;
  const info = reported.find((f) => f.id === id);
  return info ? ctx.state.addFramework(info, now, false) : undefined;
}

function registered(ctx: MasterContext, agentId: AgentId): AgentRegistered {
  return {
    type: "registered",
    epoch: ctx.epoch(),
    agentId,
    masterInfo: ctx.masterInfo,
    pingIntervalSeconds: seconds(ctx.options.agentPingTimeoutMs),
  };
}
