import { z } from "zod";
import { Credential } from "./credential.js";
import { FrameworkInfo, MasterInfo } from "./framework.js";
import { AgentId, ExecutorId, FrameworkId, TaskId, UpdateUuid } from "./ids.js";
import { Attribute, Resource } from "./resources/schema.js";
import { KillPolicy, TaskInfo, TaskState, TaskStatus } from "./task.js";

const epoch = { epoch: z.number().int().nonnegative() };

export const AgentInfo = z
  .object({
    /** Present on reregister. */
    id: AgentId.optional(),
    hostname: z.string().min(1),
    /** The agent's HTTP port (default 5051). */
    port: z.number().int().min(0).max(65535),
    resources: z.array(Resource),
    attributes: z.array(Attribute),
    /** Executors this agent can run: `shell` always, `docker` when a Docker daemon answers. */
    capabilities: z.array(z.string()),
    version: z.string(),
  })
  .strict();
export type AgentInfo = z.infer<typeof AgentInfo>;

/** A status update as the agent sends it: always with a uuid, for its framework. */
export const StatusUpdate = z
  .object({ frameworkId: FrameworkId, status: TaskStatus.required({ uuid: true, agentId: true }) })
  .strict();
export type StatusUpdate = z.infer<typeof StatusUpdate>;

/** A task an agent reports when it reregisters. */
export const AgentTask = z.object({ frameworkId: FrameworkId, task: TaskInfo, state: TaskState }).strict();
export type AgentTask = z.infer<typeof AgentTask>;

/** Agent → master, sent to `agora.<cluster>.master.agent` (register/reregister as requests). */
export const AgentMessage = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("register"),
      agentInfo: AgentInfo,
      /**
       * Drawn once per agent process and sent with every retry of its registration, so a master
       * that answered too late for the agent's timeout answers the retry with the same id instead
       * of registering a second agent (Mesos recognises a retry by the agent's pid).
       */
      instanceId: z.string().min(1).max(128).optional(),
      /**
       * The agent will say when it listens under the id this registration gets (`listeningAs`), and is
       * offered nothing until then. It can subscribe to its commands only once it knows its id, and core
       * NATS drops a message nobody listens to, so a launch right after the first answer could be lost
       * (the launch check would drop it only after 30 s). Absent (an older agent): offered at once.
       */
      confirmsListening: z.literal(true).optional(),
      /** Sent again, with `instanceId`, once the agent listens under the id its registration got. */
      listeningAs: AgentId.optional(),
      /** The agent's principal and secret (Mesos' agent `--credential`), checked under `--authenticate-agents`. */
      credential: Credential.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal("reregister"),
      agentInfo: AgentInfo.required({ id: true }),
      tasks: z.array(AgentTask),
      frameworks: z.array(FrameworkInfo.required({ id: true })),
      /** Updates not yet acknowledged, so the new master can relay them. */
      updates: z.array(StatusUpdate),
      credential: Credential.optional(),
    })
    .strict(),
  /** Updates are batched: one message may carry many tasks' updates (in order per task). */
  z
    .object({ type: z.literal("statusUpdate"), agentId: AgentId, updates: z.array(StatusUpdate).min(1) })
    .strict(),
  z.object({ type: z.literal("unregister"), agentId: AgentId }).strict(),
  /** An executor's message to its framework (best effort, as in Mesos), relayed as a `message` event. */
  z
    .object({
      type: z.literal("executorMessage"),
      agentId: AgentId,
      frameworkId: FrameworkId,
      executorId: ExecutorId,
      data: z.string(),
    })
    .strict(),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type AgentMessageOf<T extends AgentMessage["type"]> = Extract<AgentMessage, { type: T }>;

/** The master's reply to register/reregister. */
export const AgentRegistered = z
  .object({
    type: z.literal("registered"),
    ...epoch,
    agentId: AgentId,
    masterInfo: MasterInfo,
    /** How often the master pings; the agent re-registers when pings stop for long. */
    pingIntervalSeconds: z.number().positive(),
  })
  .strict();
export type AgentRegistered = z.infer<typeof AgentRegistered>;

export const Acknowledgement = z
  .object({ frameworkId: FrameworkId, taskId: TaskId, uuid: UpdateUuid })
  .strict();
export type Acknowledgement = z.infer<typeof Acknowledgement>;

/** Master → agent, sent to `agora.<cluster>.agent.<id>.cmd` (ping as a request; the reply is a pong). */
export const AgentCommand = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ping"), ...epoch }).strict(),
  z
    .object({
      type: z.literal("runTask"),
      ...epoch,
      frameworkId: FrameworkId,
      frameworkInfo: FrameworkInfo,
      tasks: z.array(TaskInfo).min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal("killTask"),
      ...epoch,
      frameworkId: FrameworkId,
      taskId: TaskId,
      killPolicy: KillPolicy.optional(),
    })
    .strict(),
  z
    .object({ type: z.literal("statusAcknowledgement"), ...epoch, acks: z.array(Acknowledgement).min(1) })
    .strict(),
  z.object({ type: z.literal("shutdownFramework"), ...epoch, frameworkId: FrameworkId }).strict(),
  /** A framework's `message` call for one of its executors on this agent (best effort). */
  z
    .object({
      type: z.literal("frameworkMessage"),
      ...epoch,
      frameworkId: FrameworkId,
      executorId: ExecutorId.optional(),
      data: z.string(),
    })
    .strict(),
  /** Sent when the master does not know the agent (e.g. after failover): the agent reregisters. */
  z.object({ type: z.literal("reregisterRequested"), ...epoch }).strict(),
]);
export type AgentCommand = z.infer<typeof AgentCommand>;
export type AgentCommandOf<T extends AgentCommand["type"]> = Extract<AgentCommand, { type: T }>;

export const Pong = z.object({ type: z.literal("pong"), agentId: AgentId }).strict();
export type Pong = z.infer<typeof Pong>;
