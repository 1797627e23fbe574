import { type Logger, pino } from "pino";
import { z } from "zod";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { isTransportError } from "./errors.js";
import type { Candidate, LeaderElection, LeaderInfo, LeadershipHandlers } from "./leader-election.js";
import type { StateStore, StoreWatch } from "./state-store.js";

export interface LeaseElectionOptions {
  /**
   * Where the lease lives: a store whose entries expire `ttlMs` after their last write (a JetStream
   * KV bucket with a TTL). Its key `leader` holds the leader's `LeaderInfo`.
   */
  leases: StateStore;
  /** Where the epoch counter lives (key `epoch`): a store without expiry, so epochs are never reused. */
  epochs: StateStore;
  /** The lease store's TTL: a leader that has not renewed for this long has lost its lease. */
  ttlMs: number;
  /** How often the leader renews (default `ttlMs / 3`). */
  renewIntervalMs?: number;
  /** How often a standby looks for an expired lease (default `ttlMs / 5`); deletes are seen at once. */
  pollIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const LEASE_KEY = "leader";
const EPOCH_KEY = "epoch";
/** This far into the TTL since its last renewal was sent, a leader that has not renewed again tries once more before the lease's end. */
const SELF_DEPOSE_FRACTION = 0.9;

type State = "idle" | "standby" | "electing" | "leader" | "closed";

/**
 * Leader election on a lease in a `StateStore` whose entries expire (see `openJetStreamLeaderElection`
 * for the cluster-mode one). A standby `create`s the lease key when it is missing (deleted by a
 * resigning leader — seen at once through a watch — or expired — seen by polling), then increments
 * the epoch counter with compare-and-set and writes it into the lease. The leader renews with
 * compare-and-set on the lease's revision; a mismatch (someone else holds it) deposes it, and so does
 * no successful renewal within the TTL (after 90% of it, one more renewal is tried at once), so it
 * stops before a standby can take the expired lease.
 */
export class LeaseLeaderElection implements LeaderElection {
  private state: State = "idle";
  private handlers: LeadershipHandlers | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly renewIntervalMs: number;
  private readonly pollIntervalMs: number;
  private known: LeaderInfo | undefined;
  private leaseRevision = 0;
  private lastRenewSentAt = 0;
  private busy = false;
  private watching = false;
  private pollTimer: TimerHandle | undefined;
  private renewTimer: TimerHandle | undefined;
  private deadline: TimerHandle | undefined;
  private watch: StoreWatch | undefined;

  constructor(
    private readonly candidate: Candidate,
    private readonly opts: LeaseElectionOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? pino({ level: "silent" });
    this.renewIntervalMs = opts.renewIntervalMs ?? Math.max(1, Math.floor(opts.ttlMs / 3));
    this.pollIntervalMs = opts.pollIntervalMs ?? Math.max(1, Math.floor(opts.ttlMs / 5));
  }

  get isLeader(): boolean {
    return this.state === "leader";
  }

  leader(): LeaderInfo | undefined {
    return this.known;
  }

  async start(handlers: LeadershipHandlers): Promise<void> {
    if (this.state !== "idle") throw new Error("a leader election starts once");
    this.handlers = handlers;
    this.state = "standby";
    await this.watchLease();
    this.pollTimer = this.clock.setInterval(() => {
      void this.watchLease();
      void this.contend();
    }, this.pollIntervalMs);
    this.renewTimer = this.clock.setInterval(() => void this.renew(), this.renewIntervalMs);
    await this.contend();
  }

  async close(): Promise<void> {
    const wasLeader = this.state === "leader" || this.state === "electing";
    this.state = "closed";
    this.stopTimers();
    this.watch?.stop();
    if (wasLeader) {
      this.known = undefined;
      try {
        await this.opts.leases.delete(LEASE_KEY, { expectedRevision: this.leaseRevision });
        this.logger.info({ lease: this.candidate.name }, "resigned leadership");
      } catch (err) {
        this.logger.warn(
          { err, lease: this.candidate.name },
          "could not delete the lease on resigning; it expires",
        );
      }
    }
  }

  /**
   * Watches the lease, so a resigning leader's delete is seen at once. A watch that cannot be made
   * (JetStream left consumer creates unanswered for up to a minute after a NATS node died) is tried
   * again at every poll, which meanwhile finds a missing lease within `pollIntervalMs`: a master
   * restarted in that minute stands by instead of failing to start.
   */
  private async watchLease(): Promise<void> {
    if (this.watch !== undefined || this.watching || this.state === "closed") return;
    this.watching = true;
    try {
      const watch = await this.opts.leases.watch(LEASE_KEY, (event) => {
        if (event.key !== LEASE_KEY || this.state === "closed") return;
        if (event.op === "delete") {
          if (this.known?.id !== this.candidate.id) this.known = undefined;
          if (this.state === "standby") void this.contend();
        } else if (this.state === "standby") {
          this.known = parseLeader(event.value) ?? this.known;
        }
      });
      this.watch = watch;
      // Closed while the watch was being made: `close` found none to stop.
      if (this.isClosed()) watch.stop();
    } catch (err) {
      this.logger.warn(
        { err, lease: this.candidate.name },
        "could not watch the lease; polling it and retrying the watch",
      );
    } finally {
      this.watching = false;
    }
  }

  /** A method, not an inline test: after an await, TypeScript keeps `state` narrowed as it was before. */
  private isClosed(): boolean {
    return this.state === "closed";
  }

  /** A standby's turn: take the lease if nobody holds it. */
  private async contend(): Promise<void> {
    if (this.busy || this.state !== "standby") return;
    this.busy = true;
    try {
      const current = await this.opts.leases.get(LEASE_KEY);
      if (this.state !== "standby") return;
      if (current !== undefined) {
        const holder = parseLeader(current.value);
        if (holder?.id !== this.candidate.id) {
          this.known = holder;
          return;
        }
        // Our own lease, renewed by a call that outlived our deposition: free it rather than wait out its TTL.
        await this.opts.leases.delete(LEASE_KEY, { expectedRevision: current.revision });
      }
      const claim: LeaderInfo = { id: this.candidate.id, address: this.candidate.address, epoch: 0 };
      const sentAt = this.clock.now();
      this.leaseRevision = await this.opts.leases.put(LEASE_KEY, encode(claim), { expectedRevision: 0 });
      this.state = "electing";
      this.known = claim;
      this.armDeadline(sentAt);
      await this.takeEpoch();
    } catch (err) {
      if (this.state === "electing") await this.abandonElection(err);
      else if (!isTransportError(err, "REVISION_MISMATCH")) {
        this.logger.warn({ err, lease: this.candidate.name }, "could not contend for the lease; retrying");
      }
    } finally {
      this.busy = false;
    }
  }

  /** Won the lease: increment the epoch counter (compare-and-set, retried on a race) and publish it. */
  private async takeEpoch(): Promise<void> {
    let epoch = 0;
    for (;;) {
      const entry = await this.opts.epochs.get(EPOCH_KEY);
      const previous = entry === undefined ? 0 : Number(new TextDecoder().decode(entry.value));
      epoch = previous + 1;
      try {
        await this.opts.epochs.put(EPOCH_KEY, new TextEncoder().encode(String(epoch)), {
          expectedRevision: entry?.revision ?? 0,
        });
        break;
      } catch (err) {
        if (!isTransportError(err, "REVISION_MISMATCH")) throw err;
      }
    }
    if (this.state !== "electing") return;
    const info: LeaderInfo = { id: this.candidate.id, address: this.candidate.address, epoch };
    const sentAt = this.clock.now();
    this.leaseRevision = await this.opts.leases.put(LEASE_KEY, encode(info), {
      expectedRevision: this.leaseRevision,
    });
    if (this.state !== "electing") return;
    this.armDeadline(sentAt);
    this.known = info;
    this.state = "leader";
    this.logger.info({ lease: this.candidate.name, epoch, id: this.candidate.id }, "elected leader");
    // Not awaited: a long takeover must not hold up the renewals.
    void Promise.resolve()
      .then(() => this.handlers?.onElected(epoch))
      .catch((err: unknown) =>
        this.logger.error({ err, lease: this.candidate.name, epoch }, "onElected failed"),
      );
  }

  private async abandonElection(err: unknown): Promise<void> {
    this.logger.warn(
      { err, lease: this.candidate.name },
      "won the lease but could not take an epoch; standing by",
    );
    this.state = "standby";
    this.known = undefined;
    this.clearDeadline();
    await this.opts.leases.delete(LEASE_KEY, { expectedRevision: this.leaseRevision }).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.busy || this.state !== "leader" || this.known === undefined) return;
    this.busy = true;
    const sentAt = this.clock.now();
    try {
      const revision = await this.opts.leases.put(LEASE_KEY, encode(this.known), {
        expectedRevision: this.leaseRevision,
      });
      if (this.state !== "leader") return;
      this.leaseRevision = revision;
      this.armDeadline(sentAt);
    } catch (err) {
      if (this.state !== "leader") return;
      if (isTransportError(err, "REVISION_MISMATCH")) this.depose("the lease is held by another candidate");
      else this.logger.warn({ err, lease: this.candidate.name }, "could not renew the lease; retrying");
    } finally {
      this.busy = false;
    }
  }

  /** The leader must have renewed again before this timer fires, else it tries once more (`overdue`). */
  private armDeadline(sentAt: number): void {
    this.lastRenewSentAt = sentAt;
    this.clearDeadline();
    const due = sentAt + this.opts.ttlMs * SELF_DEPOSE_FRACTION - this.clock.now();
    this.deadline = this.clock.setTimeout(() => this.overdue(sentAt), due);
  }

  /**
   * No renewal has succeeded for 90% of the TTL. Under load that is mostly the event loop's doing,
   * not the store's: after a long synchronous stretch (an allocation over thousands of agents, a
   * large state reply, GC), Node runs due timers before the I/O that may already hold the renewal's
   * answer, and a leader that deposed itself here exited though it held its lease. So it keeps
   * leading until the lease's own end (`sentAt + ttl`, which no standby can beat: the store's TTL
   * counts from when it received that write) while a compare-and-set renewal — the one in flight, or
   * a new one — settles it: success proves nobody took the lease; a mismatch or no success by then
   * deposes. A candidate still electing is deposed at once, as before.
   */
  private overdue(sentAt: number): void {
    const notRenewed = () =>
      `the lease was not renewed for ${this.clock.now() - this.lastRenewSentAt} ms (TTL ${this.opts.ttlMs} ms)`;
    if (this.state === "electing") this.depose(notRenewed());
    if (this.state !== "leader") return;
    this.logger.warn(
      { lease: this.candidate.name, sinceRenewalMs: this.clock.now() - sentAt, ttlMs: this.opts.ttlMs },
      "lease renewal overdue; renewing before it expires",
    );
    this.deadline = this.clock.setTimeout(
      () => {
        if (this.state === "leader") this.depose(notRenewed());
      },
      Math.max(0, sentAt + this.opts.ttlMs - this.clock.now()),
    );
    void this.renew();
  }

  private depose(reason: string): void {
    const wasLeader = this.state === "leader";
    this.state = "standby";
    this.known = undefined;
    this.clearDeadline();
    this.logger.error({ lease: this.candidate.name, id: this.candidate.id, reason }, "deposed");
    if (wasLeader) this.handlers?.onDeposed(reason);
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) this.clock.clear(this.deadline);
    this.deadline = undefined;
  }

  private stopTimers(): void {
    for (const t of [this.pollTimer, this.renewTimer]) if (t !== undefined) this.clock.clear(t);
    this.pollTimer = undefined;
    this.renewTimer = undefined;
    this.clearDeadline();
  }
}

function encode(info: LeaderInfo): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(info));
}

/** The lease's stored record; another version's extra fields are dropped. */
const LeaderRecord: z.ZodType<LeaderInfo> = z.object({
  id: z.string(),
  address: z.string(),
  epoch: z.number(),
});

function parseLeader(value: Uint8Array): LeaderInfo | undefined {
  try {
    return LeaderRecord.safeParse(JSON.parse(new TextDecoder().decode(value))).data;
  } catch {
    return undefined;
  }
}
