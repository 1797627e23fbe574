import { z } from "zod";

/** How the simulator starts a worker process: its one argument, as JSON. */
export const WorkerConfig = z
  .object({
    nats: z.string().min(1),
    cluster: z.string().min(1),
    /** Global index of this worker's first agent (hostnames are `sim-agent-<index>`). */
    offset: z.number().int().nonnegative(),
    count: z.number().int().positive(),
    resources: z.string().min(1),
    workDir: z.string().min(1),
  })
  .strict();
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/** Parent → worker, over the fork IPC channel. Agents are named by their index in this worker. */
export const WorkerCommand = z.discriminatedUnion("type", [
  /** Stop these agents as a crashed host would: no goodbye, tasks and unacknowledged updates gone. */
  z.object({ type: z.literal("kill"), agents: z.array(z.number().int().nonnegative()) }).strict(),
  /** Start fresh agents in the place of these (killed) ones; they register as new agents. */
  z.object({ type: z.literal("restart"), agents: z.array(z.number().int().nonnegative()) }).strict(),
  /** `overdue` counts the updates pending since before `producedBefore` (ms since the epoch). */
  z.object({ type: z.literal("counters"), producedBefore: z.number() }).strict(),
  /** List the live agents' unacknowledged updates produced before `producedBefore`, oldest first, at most `limit`. */
  z
    .object({
      type: z.literal("unacknowledged"),
      producedBefore: z.number(),
      limit: z.number().int().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal("stop") }).strict(),
]);
export type WorkerCommand = z.infer<typeof WorkerCommand>;

/** What the worker's agents counted, summed. */
export const WorkerCounters = z
  .object({
    /** Agents registered and not killed. */
    live: z.number().int().nonnegative(),
    /** Status updates every agent this worker ever ran produced. */
    produced: z.number().int().nonnegative(),
    /** Updates live agents still resend because no acknowledgement came back. */
    pending: z.number().int().nonnegative(),
    /** Of those, the ones produced before the time the command named. */
    overdue: z.number().int().nonnegative(),
    /** Updates of frameworks shut down, which agents dropped undelivered (nobody could acknowledge them). */
    dropped: z.number().int().nonnegative(),
    /** Updates unacknowledged when their agent was killed (lost with it, as with a crashed host). */
    abandoned: z.number().int().nonnegative(),
    /** Sends of updates sent before: the agents' retries while no acknowledgement came. */
    resent: z.number().int().nonnegative(),
    /** Registrations, and reregistrations after missed pings. */
    registrations: z.number().int().nonnegative(),
  })
  .strict();
export type WorkerCounters = z.infer<typeof WorkerCounters>;

/** One update a live agent has not seen acknowledged; times in ms since the epoch. */
export const PendingUpdate = z
  .object({
    agentId: z.string(),
    frameworkId: z.string(),
    taskId: z.string(),
    state: z.string(),
    uuid: z.string(),
    /** When the agent produced it (the status's timestamp). */
    producedAt: z.number(),
    /** When it was first sent; null while it waits behind its task's head. */
    firstSentAt: z.number().nullable(),
    /** Times sent: retries are one less. */
    sends: z.number().int().nonnegative(),
    /** Its place in its task's queue: 0 is the one in flight. */
    position: z.number().int().nonnegative(),
  })
  .strict();
export type PendingUpdate = z.infer<typeof PendingUpdate>;

/** Worker → parent. */
export const WorkerReport = z.discriminatedUnion("type", [
  z.object({ type: z.literal("registered"), count: z.number().int().nonnegative() }).strict(),
  z.object({ type: z.literal("ready") }).strict(),
  z.object({ type: z.literal("done"), command: z.enum(["kill", "restart", "stop"]) }).strict(),
  z.object({ type: z.literal("counters"), counters: WorkerCounters }).strict(),
  z.object({ type: z.literal("unacknowledged"), updates: z.array(PendingUpdate) }).strict(),
]);
export type WorkerReport = z.infer<typeof WorkerReport>;
