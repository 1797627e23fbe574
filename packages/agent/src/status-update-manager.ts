import { randomUUID } from "node:crypto";
import type { Acknowledgement, FrameworkId, StatusUpdate, TaskId, TaskStatus } from "@agora/protocol";
import { type Clock, systemClock, type TimerHandle } from "@agora/transport";
import { type Logger, pino } from "pino";
import type { UpdateJournal } from "./update-journal.js";

/** Mesos' status update retry: first resend after 10 s, doubling, capped at 10 min. */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_STATUS_UPDATE_RETRY: RetryPolicy = { initialMs: 10_000, maxMs: 600_000 };

/** A status as the agent produces it, before the manager gives it its uuid. */
export type NewStatus = Omit<TaskStatus, "uuid"> & Required<Pick<TaskStatus, "agentId">>;

export interface StatusUpdateManagerOptions {
  /** Publishes one batch of updates (one `statusUpdate` message). */
  send(updates: StatusUpdate[]): void;
  clock?: Clock;
  retry?: RetryPolicy;
  /**
   * Where updates are recorded until acknowledged, so a restarted agent resends them (the agent's
   * checkpoint). Without one, they live in the streams alone and die with the process.
   */
  journal?: UpdateJournal;
  logger?: Logger;
  /** Most updates per message, so a burst stays under the bus's payload limit (default 1,000). */
  maxBatch?: number;
}

/** The ordered updates of one task; only the head is in flight. */
interface Stream {
  readonly key: string;
  readonly queue: StatusUpdate[];
  timer: TimerHandle | undefined;
  /** The wait before the head's next resend. */
  backoffMs: number;
  /** When the head was first sent (clock ms), and how many times it was sent. */
  headSentAt: number | undefined;
  headSends: number;
}

/** An update not yet acknowledged, and how its delivery went so far. */
export interface UnacknowledgedUpdate {
  readonly update: StatusUpdate;
  /** Its place in its task's queue: 0 is the head, the one in flight. */
  readonly position: number;
  /** When it was first sent (clock ms); undefined while it waits (behind its task's head, or for its journal). */
  readonly firstSentAt: number | undefined;
  /** How many times it was sent: retries are this less one. */
  readonly sends: number;
}

/**
 * Delivers status updates at least once, with Mesos' semantics: each update gets a uuid; per task
 * the updates form a queue whose head alone is in flight, resent with exponential backoff until the
 * acknowledgement naming its uuid arrives; then the next one goes. Heads that become ready in the
 * same tick leave together in one batch.
 */
export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();
  private readonly ready = new Set<Stream>();
  private readonly send: (updates: StatusUpdate[]) => void;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly journal: UpdateJournal | undefined;
  private readonly logger: Logger;
  private readonly maxBatch: number;
  /** Updates whose journal record is not durable yet: none is sent (or handed to a master) before it is. */
  private readonly unsynced = new Set<StatusUpdate>();
  private flushScheduled = false;
  private stopped = false;
  private resentCount = 0;

  constructor(options: StatusUpdateManagerOptions) {
    this.send = options.send;
    this.clock = options.clock ?? systemClock;
    this.retry = options.retry ?? DEFAULT_STATUS_UPDATE_RETRY;
    this.journal = options.journal;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.maxBatch = options.maxBatch ?? 1000;
    for (const update of this.journal?.recover() ?? []) this.push(update);
  }

  /**
   * Gives `status` a fresh uuid, queues it behind the task's earlier updates and returns it. With
   * `after`, the update is not sent (nor handed to a master) before that has settled too: what must be
   * on disk before the update leaves, written meanwhile (a launched task's checkpoint before its
   * RUNNING).
   */
  enqueue(frameworkId: FrameworkId, status: NewStatus, after?: Promise<void>): StatusUpdate {
    const update: StatusUpdate = { frameworkId, status: { ...status, uuid: randomUUID() } };
    const durable = this.journal?.append(update)?.catch((err: unknown) => {
      // Delivered all the same while this process lives: a task's updates must not stall behind a
      // disk that fails; only a restart could lose this one.
      this.logger.error({ err, taskId: status.taskId }, "could not journal a status update");
    });
    const gate = durable && after ? Promise.all([durable, after]) : (durable ?? after);
    if (gate) {
      this.unsynced.add(update);
      const release = () => this.synced(update);
      gate.then(release, release);
    }
    this.push(update);
    return update;
  }

  /**
   * Takes an acknowledgement: when it names the in-flight update of its task, that update is done
   * and the task's next one goes. Returns false (and changes nothing) for any other uuid.
   */
  acknowledge(ack: Acknowledgement): boolean {
    const stream = this.streams.get(streamKey(ack.frameworkId, ack.taskId));
    const head = stream?.queue[0];
    if (!stream || !head || head.status.uuid !== ack.uuid) return false;
    stream.queue.shift();
    if (stream.timer) this.clock.clear(stream.timer);
    stream.timer = undefined;
    stream.headSentAt = undefined;
    stream.headSends = 0;
    this.ready.delete(stream);
    this.journal?.acknowledge(head);
    if (stream.queue.length === 0) this.streams.delete(stream.key);
    else {
      stream.backoffMs = this.retry.initialMs;
      this.markReady(stream);
    }
    return true;
  }

  /**
   * Drops every update of a framework that was shut down, as Mesos' status update manager closes its
   * streams: nobody is left to acknowledge them, so they would be resent forever. Returns how many.
   */
  cleanup(frameworkId: FrameworkId): number {
    let dropped = 0;
    for (const stream of this.streams.values()) {
      if (stream.queue[0]?.frameworkId !== frameworkId) continue;
      if (stream.timer) this.clock.clear(stream.timer);
      this.ready.delete(stream);
      for (const update of stream.queue) {
        this.unsynced.delete(update);
        // Journalled as settled, so a restarted agent does not resend them either.
        this.journal?.acknowledge(update);
      }
      dropped += stream.queue.length;
      this.streams.delete(stream.key);
    }
    return dropped;
  }

  /** The update each task has in flight, for a reregistration to hand to a (new) master. */
  inFlight(): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const s of this.streams.values()) {
      const head = s.queue[0];
      if (head && !this.unsynced.has(head)) out.push(head);
    }
    return out;
  }

  /**
   * Sends every task's head again now, with the backoff reset: after a (re)registration, when
   * acknowledgements for what was sent before may have been lost with the old connection.
   */
  resendAll(): void {
    for (const s of this.streams.values()) {
      if (s.timer) this.clock.clear(s.timer);
      s.timer = undefined;
      s.backoffMs = this.retry.initialMs;
      this.markReady(s);
    }
  }

  /** Every update waiting for an acknowledgement, in flight or queued, for a report of what is stuck. */
  unacknowledged(): UnacknowledgedUpdate[] {
    const out: UnacknowledgedUpdate[] = [];
    for (const s of this.streams.values()) {
      s.queue.forEach((update, position) => {
        out.push(
          position === 0
            ? { update, position, firstSentAt: s.headSentAt, sends: s.headSends }
            : { update, position, firstSentAt: undefined, sends: 0 },
        );
      });
    }
    return out;
  }

  /** Sends of updates that had been sent before (retries and `resendAll`). */
  get resent(): number {
    return this.resentCount;
  }

  /** Updates waiting for an acknowledgement, in flight or queued. */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.queue.length;
    return n;
  }

  /** True while `taskId` has updates not yet acknowledged. */
  hasPending(frameworkId: FrameworkId, taskId: TaskId): boolean {
    return this.streams.has(streamKey(frameworkId, taskId));
  }

  /** Sends what is ready to go now, then stops every resend; nothing is sent afterwards. */
  stop(): void {
    if (this.ready.size > 0) this.flush();
    this.stopped = true;
    for (const s of this.streams.values()) if (s.timer) this.clock.clear(s.timer);
    this.ready.clear();
  }

  private push(update: StatusUpdate): void {
    const key = streamKey(update.frameworkId, update.status.taskId);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = {
        key,
        queue: [],
        timer: undefined,
        backoffMs: this.retry.initialMs,
        headSentAt: undefined,
        headSends: 0,
      };
      this.streams.set(key, stream);
    }
    stream.queue.push(update);
    if (stream.queue.length === 1) this.markReady(stream);
  }

  /** An update's record is durable: it may go, if it heads its task's queue. */
  private synced(update: StatusUpdate): void {
    this.unsynced.delete(update);
    const stream = this.streams.get(streamKey(update.frameworkId, update.status.taskId));
    if (stream?.queue[0] === update) this.markReady(stream);
  }

  private markReady(stream: Stream): void {
    if (this.stopped) return;
    this.ready.add(stream);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current tick's work, so everything that became ready in it leaves in one message.
    this.clock.defer(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.stopped) return;
    const batch: StatusUpdate[] = [];
    for (const stream of this.ready) {
      const head = stream.queue[0];
      // Not durable yet: it is marked ready again once it is.
      if (!head || this.unsynced.has(head)) continue;
      batch.push(head);
      stream.headSentAt ??= this.clock.now();
      stream.headSends++;
      if (stream.headSends > 1) this.resentCount++;
      this.armRetry(stream);
    }
    this.ready.clear();
    for (let i = 0; i < batch.length; i += this.maxBatch) {
      try {
        this.send(batch.slice(i, i + this.maxBatch));
      } catch (err) {
        // The retry timers are armed: these go again.
        this.logger.warn({ err }, "sending status updates failed");
      }
    }
  }

  private armRetry(stream: Stream): void {
    if (stream.timer) this.clock.clear(stream.timer);
    const wait = stream.backoffMs;
    stream.backoffMs = Math.min(wait * 2, this.retry.maxMs);
    stream.timer = this.clock.setTimeout(() => {
      stream.timer = undefined;
      this.logger.debug({ taskId: stream.queue[0]?.status.taskId }, "resending unacknowledged status update");
      this.markReady(stream);
    }, wait);
  }
}

function streamKey(frameworkId: FrameworkId, taskId: TaskId): string {
  return `${frameworkId}\u0000${taskId}`;
}
