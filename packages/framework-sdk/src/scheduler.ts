import type { CallInput, OperationInput, TaskInfoInput } from "@agora/protocol";
import {
  type AgentId,
  DEFAULT_CLUSTER,
  type ExecutorId,
  type Filters,
  type FrameworkId,
  FrameworkInfo,
  firstIssue,
  type KillPolicy,
  newId,
  type Offer,
  type OfferId,
  type Resource,
  type RoleName,
  type Subjects,
  subjects,
  type TaskId,
  type TaskStatus,
  UPDATE_BATCHES,
} from "@agora/protocol";
import { type BusSubscription, systemClock } from "@agora/transport";
import { type Logger, pino } from "pino";
import { AcceptWindow } from "./accept-window.js";
import { Acknowledger } from "./acknowledger.js";
import { Connection } from "./connection.js";
import { SchedulerError } from "./errors.js";
import { EventRouter } from "./event-router.js";
import { EventStream } from "./event-stream.js";
import { fromTransport, MasterClient } from "./master-client.js";
import {
  DEFAULT_STREAM_BUFFER,
  type SchedulerOptions,
  type StreamOptions,
  schedulerDefaults,
} from "./options.js";
import { RecentUpdates } from "./recent-updates.js";
import {
  emptyCounters,
  type SchedulerEventMap,
  type SchedulerEventType,
  type SchedulerStats,
} from "./scheduler-events.js";
import { sendToFit } from "./send-to-fit.js";
import { type Handler, TypedEmitter } from "./typed-emitter.js";
import { UpdateDelivery } from "./update-delivery.js";

/**
 * The one client a framework needs: subscribes to the master, delivers offers and task updates
 * (as typed events and as async iterators), acknowledges updates, re-subscribes when the master
 * goes silent, and sends every scheduler call.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ bus, framework: { name: "my-framework", roles: ["web"] } });
 * scheduler.on("offers", (offers) => scheduler.decline(offers.map((o) => o.id)));
 * scheduler.on("update", (status) => console.log(status.taskId, status.state));
 * const frameworkId = await scheduler.subscribe();
 * ```
 */
export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly logger: Logger;
  private readonly subjects: Subjects;
  private readonly info: FrameworkInfo;
  private readonly client: MasterClient;
  private readonly emitter: TypedEmitter<SchedulerEventMap>;
  private readonly counters = emptyCounters();
  private readonly recent: RecentUpdates;
  private readonly delivery: UpdateDelivery;
  private readonly acknowledger: Acknowledger;
  private readonly router: EventRouter;
  private readonly window: AcceptWindow;
  private readonly offerStreams = new Set<EventStream<Offer[]>>();
  private readonly updateStreams = new Set<EventStream<TaskStatus>>();
  private id: FrameworkId | undefined;
  private connection: Connection | undefined;
  private eventSubscription: BusSubscription | undefined;
  private subscribing: Promise<FrameworkId> | undefined;
  private closed = false;
  /** A re-subscribe (after silence or for a new leader) is under way. */
  private resubscribing = false;

  /**
   * Validates the options; does no I/O until `subscribe()`.
   * Throws `SchedulerError` `INVALID_OPTIONS` (with `field`) when the framework info or cluster is invalid.
   *
   * @example
   * ```ts
   * const scheduler = new Scheduler({ bus, framework: { name: "batch", failoverTimeout: 3600, checkpoint: true } });
   * ```
   */
  constructor(options: SchedulerOptions) {
    this.opts = options;
    this.logger = (options.logger ?? pino({ level: "silent" })).child({ component: "framework-sdk" });
    const parsed = FrameworkInfo.safeParse(withPrincipal(options));
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      const field = `framework.${issue.field}`;
      throw new SchedulerError("INVALID_OPTIONS", `${field}: ${issue.message}`, {
        field,
        cause: parsed.error,
      });
    }
    this.info = withUpdateBatches(parsed.data);
    this.window = new AcceptWindow(acceptLimit(options), (offers) => this.deliverOffers(offers));
    try {
      this.subjects = subjects(options.cluster ?? DEFAULT_CLUSTER);
    } catch (cause) {
      throw new SchedulerError("INVALID_OPTIONS", `cluster: ${(cause as Error).message}`, {
        field: "cluster",
        cause,
      });
    }
    this.client = new MasterClient(
      options.bus,
      this.subjects.callsOf(this.info.principal),
      options.callTimeoutMs ?? schedulerDefaults.callTimeoutMs,
      (epoch) => this.router.sawEpoch(epoch),
    );
    this.emitter = new TypedEmitter((err, type) => {
      this.counters.handlerErrors++;
      this.logger.error({ err, event: type }, "event handler failed");
    });
    this.recent = new RecentUpdates(options.dedupMemory ?? schedulerDefaults.dedupMemory);
    this.acknowledger = new Acknowledger({
      clock: options.clock ?? systemClock,
      frameworkId: () => this.id,
      publish: (call) => this.client.publish(call),
      sent: (count) => {
        this.counters.acknowledgementsSent += count;
      },
      failed: (acks, err) =>
        this.logger.warn(
          { err, acknowledgements: acks.length, taskId: acks[0]?.taskId },
          "acknowledgements not sent; the agents will resend the updates",
        ),
    });
    this.delivery = new UpdateDelivery({
      emitter: this.emitter,
      streams: () => [...this.updateStreams],
      recent: this.recent,
      autoAcknowledge: options.autoAcknowledge ?? schedulerDefaults.autoAcknowledge,
      acknowledge: (status) => this.sendAcknowledgement(status),
      stats: this.counters,
      logger: this.logger,
      isOpen: () => !this.closed,
    });
    this.router = new EventRouter({
      emitter: this.emitter,
      stats: this.counters,
      logger: this.logger,
      onAlive: () => this.connection?.heard(),
      onSubscribed: (info, newMaster) => {
        // The old master's offers cannot be accepted at the new one: those still held are dropped.
        if (newMaster) this.window.clear();
        this.connection?.subscribed(info);
      },
      onOffers: (offers) => this.window.offered(offers),
      onRescind: (offerId) => {
        // An offer still held was never seen by the framework: nothing to tell.
        if (!this.window.rescinded(offerId)) this.emitter.emit("rescind", offerId);
      },
      onUpdate: (status) => this.delivery.enqueue(status),
      onNewerEpoch: (epoch) => this.newLeader(epoch),
    });
  }

  /**
   * The framework id: proposed (or taken from `framework.id`) by `subscribe()`, undefined before.
   *
   * @example
   * ```ts
   * await scheduler.subscribe();
   * console.log(`registered as ${scheduler.frameworkId}`);
   * ```
   */
  get frameworkId(): FrameworkId | undefined {
    return this.id;
  }

  /**
   * A snapshot of the SDK's counters (invalid events, duplicates suppressed, …).
   *
   * @example
   * ```ts
   * const { invalidEvents, duplicatesSuppressed } = scheduler.stats;
   * ```
   */
  get stats(): Readonly<SchedulerStats> {
    const { acceptsInFlight, acceptsInFlightPeak, offersHeld } = this.window;
    return { ...this.counters, acceptsInFlight, acceptsInFlightPeak, offersHeld };
  }

  /**
   * Registers the framework with the master and resolves with its id once the master's
   * `subscribed` event arrives. Retries with backoff while no master answers. With `framework.id`
   * set, this is a failover: the framework's running tasks are kept.
   * Rejects with `SchedulerError` `SUBSCRIBE_FAILED` (the master refused), `TIMEOUT`
   * (`subscribeTimeoutMs` passed) or `CLOSED`.
   *
   * @example
   * ```ts
   * const frameworkId = await scheduler.subscribe();
   * await saveForFailover(frameworkId); // pass it back as framework.id after a restart
   * ```
   */
  subscribe(): Promise<FrameworkId> {
    if (this.closed) return Promise.reject(closedError());
    this.subscribing ??= this.firstSubscribe().catch((err: unknown) => {
      this.subscribing = undefined;
      throw err;
    });
    return this.subscribing;
  }

  /**
   * Adds an event handler. `update` handlers may be async: the update is acknowledged only after
   * every one of them resolved. A handler that throws is logged and counted, never propagated.
   *
   * @example
   * ```ts
   * scheduler.on("update", async (status) => {
   *   await db.saveState(status.taskId, status.state); // acknowledged after this resolves
   * });
   * ```
   */
  on<K extends SchedulerEventType>(type: K, handler: Handler<SchedulerEventMap[K]>): this {
    this.emitter.on(type, handler);
    return this;
  }

  /**
   * Removes a handler added with `on`.
   *
   * @example
   * ```ts
   * const log = (offers: Offer[]) => console.log(offers.length);
   * scheduler.on("offers", log);
   * scheduler.off("offers", log);
   * ```
   */
  off<K extends SchedulerEventType>(type: K, handler: Handler<SchedulerEventMap[K]>): this {
    this.emitter.off(type, handler);
    return this;
  }

  /**
   * Offer batches as an async iterator, from now until `close()` (or `break`). When the consumer
   * falls `bufferSize` batches behind, the oldest batch is dropped (and declined, when nothing else
   * consumes offers).
   *
   * @example
   * ```ts
   * for await (const offers of scheduler.offers()) {
   *   await scheduler.decline(offers.map((o) => o.id), { refuseSeconds: 30 });
   * }
   * ```
   */
  offers(options: StreamOptions = {}): AsyncIterableIterator<Offer[]> {
    const stream: EventStream<Offer[]> = new EventStream(
      options.bufferSize ?? DEFAULT_STREAM_BUFFER,
      { kind: "dropOldest", onDrop: (batch) => this.dropOffers(batch) },
      () => this.offerStreams.delete(stream),
    );
    if (this.closed) stream.end();
    else this.offerStreams.add(stream);
    return stream;
  }

  /**
   * Task status updates as an async iterator, from now until `close()` (or `break`); each uuid once.
   * A full buffer holds back further updates (and their acknowledgement) until the consumer reads.
   *
   * @example
   * ```ts
   * const updates = scheduler.updates(); // before launching, so no update is missed
   * for await (const status of updates) if (status.state === "TASK_FAILED") console.error(status.message);
   * ```
   */
  updates(options: StreamOptions = {}): AsyncIterableIterator<TaskStatus> {
    const stream: EventStream<TaskStatus> = new EventStream(
      options.bufferSize ?? DEFAULT_STREAM_BUFFER,
      { kind: "wait" },
      () => this.updateStreams.delete(stream),
    );
    if (this.closed) stream.end();
    else this.updateStreams.add(stream);
    return stream;
  }

  /**
   * Accepts offers with operations run in order (launch, launchGroup, reserve, unreserve); what
   * the operations do not use is declined. Rejects with `CALL_FAILED` (`masterCode`, `field`) on refusal.
   *
   * @example
   * ```ts
   * await scheduler.accept([offer.id], [{ type: "launch", tasks }], { refuseSeconds: 5 });
   * ```
   */
  accept(
    offerIds: readonly OfferId[],
    operations: readonly OperationInput[],
    filters?: Filters,
  ): Promise<void> {
    const answered = this.window.opened();
    return this.call((frameworkId) => ({
      type: "accept",
      frameworkId,
      offerIds: [...offerIds],
      operations: [...operations],
      ...(filters ? { filters } : {}),
    })).finally(answered);
  }

  /**
   * Launches tasks on one offer (or several offers of the same agent): one accept with one launch
   * operation. Pair it with `packTasks`.
   *
   * @example
   * ```ts
   * const { launches } = packTasks(offers, specs);
   * for (const { offer, tasks } of launches) await scheduler.launch(offer, tasks);
   * ```
   */
  launch(
    offers: Offer | readonly Offer[],
    tasks: readonly TaskInfoInput[],
    filters?: Filters,
  ): Promise<void> {
    const list: readonly Offer[] = Array.isArray(offers) ? offers : [offers as Offer];
    return this.accept(
      list.map((o) => o.id),
      [{ type: "launch", tasks: [...tasks] }],
      filters,
    );
  }

  /**
   * Reserves part of an offer for the offer's role (dynamic reservations, which survive a master
   * restart): one accept with one reserve operation. Each resource names its `reservation.role`;
   * what is not reserved is declined. The reserved resources come back in later offers.
   *
   * @example
   * ```ts
   * await scheduler.reserve(offer, [{ name: "cpus", scalar: 2, reservation: { role: "eng", type: "dynamic" } }]);
   * ```
   */
  reserve(
    offers: Offer | readonly Offer[],
    resources: readonly Resource[],
    filters?: Filters,
  ): Promise<void> {
    return this.reservationCall("reserve", offers, resources, filters);
  }

  /**
   * Releases dynamic reservations held in an offer: one accept with one unreserve operation.
   * Fails with `CALL_FAILED` (`INVALID_OPERATION`) when the offer does not hold them.
   *
   * @example
   * ```ts
   * await scheduler.unreserve(offer, offer.resources.filter((r) => r.reservation?.type === "dynamic"));
   * ```
   */
  unreserve(
    offers: Offer | readonly Offer[],
    resources: readonly Resource[],
    filters?: Filters,
  ): Promise<void> {
    return this.reservationCall("unreserve", offers, resources, filters);
  }

  private reservationCall(
    type: "reserve" | "unreserve",
    offers: Offer | readonly Offer[],
    resources: readonly Resource[],
    filters: Filters | undefined,
  ): Promise<void> {
    const list: readonly Offer[] = Array.isArray(offers) ? offers : [offers as Offer];
    return this.accept(
      list.map((o) => o.id),
      [{ type, resources: [...resources] }],
      filters,
    );
  }

  /**
   * Declines offers; their resources are not offered to this framework again for
   * `filters.refuseSeconds` (default 5). Published without awaiting a reply.
   *
   * @example
   * ```ts
   * await scheduler.decline(offers.map((o) => o.id), { refuseSeconds: 60 });
   * ```
   */
  async decline(offerIds: readonly OfferId[], filters?: Filters): Promise<void> {
    if (offerIds.length === 0) return;
    const frameworkId = this.requireSubscribed();
    await sendToFit(offerIds, (part) =>
      this.client.publish({
        type: "decline",
        frameworkId,
        offerIds: [...part],
        ...(filters ? { filters } : {}),
      }),
    );
  }

  /**
   * Asks for offers again (all roles, or the given ones) and clears decline filters.
   *
   * @example
   * ```ts
   * await scheduler.revive(["web"]);
   * ```
   */
  revive(roles?: readonly RoleName[]): Promise<void> {
    return this.call((frameworkId) => ({
      type: "revive",
      frameworkId,
      ...(roles ? { roles: [...roles] } : {}),
    }));
  }

  /**
   * Stops offers (all roles, or the given ones) until `revive`; updates keep flowing.
   *
   * @example
   * ```ts
   * if (pending.length === 0) await scheduler.suppress();
   * ```
   */
  suppress(roles?: readonly RoleName[]): Promise<void> {
    return this.call((frameworkId) => ({
      type: "suppress",
      frameworkId,
      ...(roles ? { roles: [...roles] } : {}),
    }));
  }

  /**
   * Kills a task; its end arrives as an update (TASK_KILLED, or TASK_LOST for a task the master does not know).
   *
   * @example
   * ```ts
   * await scheduler.kill(status.taskId, status.agentId, { gracePeriodSeconds: 10 });
   * ```
   */
  kill(taskId: TaskId, agentId?: AgentId, killPolicy?: KillPolicy): Promise<void> {
    return this.call((frameworkId) => ({
      type: "kill",
      frameworkId,
      taskId,
      ...(agentId ? { agentId } : {}),
      ...(killPolicy ? { killPolicy } : {}),
    }));
  }

  /**
   * Acknowledges a status update (only needed with `autoAcknowledge: false`). Statuses without a
   * uuid (generated by the master) need no acknowledgement: this then sends nothing.
   *
   * @example
   * ```ts
   * scheduler.on("update", async (status) => {
   *   await persist(status);
   *   await scheduler.acknowledge(status);
   * });
   * ```
   */
  async acknowledge(status: TaskStatus): Promise<void> {
    if (status.uuid === undefined) return;
    this.requireSubscribed();
    this.sendAcknowledgement(status);
  }

  /**
   * Asks the master for the latest state of the given tasks, or of all its tasks (implicit, the
   * default); answers arrive as updates with reason `REASON_RECONCILIATION`. The SDK reconciles
   * implicitly after every (re)subscribe.
   *
   * @example
   * ```ts
   * await scheduler.reconcile([{ taskId, agentId }]);
   * ```
   */
  async reconcile(tasks: ReadonlyArray<{ taskId: TaskId; agentId?: AgentId }> = []): Promise<void> {
    const frameworkId = this.requireSubscribed();
    await sendToFit(tasks, (part) =>
      this.client.request({ type: "reconcile", frameworkId, tasks: part.map((t) => ({ ...t })) }),
    );
  }

  /**
   * Sends a best-effort message to an executor on an agent.
   *
   * @example
   * ```ts
   * await scheduler.message(agentId, JSON.stringify({ reload: true }));
   * ```
   */
  message(agentId: AgentId, data: string, executorId?: ExecutorId): Promise<void> {
    return this.call((frameworkId) => ({
      type: "message",
      frameworkId,
      agentId,
      data,
      ...(executorId ? { executorId } : {}),
    }));
  }

  /**
   * Ends the framework: the master kills its tasks and forgets it. Closes this scheduler too, so
   * that it cannot re-subscribe and bring the framework back.
   *
   * @example
   * ```ts
   * await scheduler.teardown();
   * ```
   */
  async teardown(): Promise<void> {
    await this.call((frameworkId) => ({ type: "teardown", frameworkId }));
    await this.close();
  }

  /**
   * Stops heartbeats, re-subscribes and event delivery and ends the iterators. The framework stays
   * registered (its tasks run on for `failoverTimeout`); the bus is left open for its owner.
   *
   * @example
   * ```ts
   * process.on("SIGTERM", () => void scheduler.close());
   * ```
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The bus stays open: what the handlers acknowledged still goes, so those updates are not resent.
    this.acknowledger.flush();
    this.connection?.stop();
    this.eventSubscription?.unsubscribe();
    this.window.clear();
    for (const s of this.offerStreams) s.end();
    for (const s of this.updateStreams) s.end();
    this.offerStreams.clear();
    this.updateStreams.clear();
  }

  private async firstSubscribe(): Promise<FrameworkId> {
    if (this.id === undefined) this.id = this.info.id ?? newId<FrameworkId>();
    const id = this.id;
    if (this.connection === undefined) this.connection = this.newConnection(id);
    const connection = this.connection;
    if (!this.eventSubscription) {
      try {
        this.eventSubscription = this.opts.bus.subscribe(
          this.subjects.frameworkEvents(id, this.info.principal),
          (msg) => (this.closed ? undefined : this.router.receive(msg.data)),
        );
        // The master may send offers right after `subscribed`: be listening before asking.
        await this.opts.bus.flush();
      } catch (err) {
        this.eventSubscription?.unsubscribe();
        this.eventSubscription = undefined;
        throw fromTransport(err, "subscribe");
      }
    }
    if (this.closed) throw closedError();
    await connection.handshake();
    this.reconcileAfterSubscribe();
    return id;
  }

  private newConnection(id: FrameworkId): Connection {
    return new Connection({
      client: this.client,
      clock: this.opts.clock ?? systemClock,
      logger: this.logger,
      frameworkInfo: { ...this.info, id },
      ...(this.opts.credential?.secret === undefined ? {} : { secret: this.opts.credential.secret }),
      callTimeoutMs: this.opts.callTimeoutMs ?? schedulerDefaults.callTimeoutMs,
      subscribeTimeoutMs: this.opts.subscribeTimeoutMs,
      retryInitialMs: this.opts.retry?.initialMs ?? schedulerDefaults.retryInitialMs,
      retryMaxMs: this.opts.retry?.maxMs ?? schedulerDefaults.retryMaxMs,
      missedHeartbeats: this.opts.missedHeartbeats ?? schedulerDefaults.missedHeartbeats,
      onSilent: (silentForMs) => this.masterWentSilent(silentForMs),
    });
  }

  private masterWentSilent(silentForMs: number): void {
    if (this.closed || !this.connection || this.resubscribing) return;
    this.logger.warn({ silentForMs }, "no event from the master: re-subscribing");
    this.emitter.emit("disconnected", { silentForMs });
    this.resubscribe(this.connection);
  }

  /** Another master leads (a higher epoch): re-subscribe now rather than after missed heartbeats. */
  private newLeader(epoch: number): void {
    if (this.closed || !this.connection || this.resubscribing) return;
    this.logger.info({ epoch }, "a new master leads: re-subscribing");
    this.resubscribe(this.connection);
  }

  private resubscribe(connection: Connection): void {
    this.resubscribing = true;
    connection.handshake().then(
      (info) => {
        this.resubscribing = false;
        this.counters.resubscribes++;
        this.emitter.emit("reconnected", info);
        this.reconcileAfterSubscribe();
      },
      (err: unknown) => {
        this.resubscribing = false;
        if (this.closed) return;
        this.logger.error({ err }, "re-subscribe failed");
        this.emitter.emit(
          "error",
          err instanceof SchedulerError ? err : new SchedulerError("SUBSCRIBE_FAILED", String(err)),
        );
      },
    );
  }

  private reconcileAfterSubscribe(): void {
    this.reconcile().catch((err: unknown) => this.logger.warn({ err }, "implicit reconciliation failed"));
  }

  /** Offers the accept window lets through: to the `offers` handlers and iterators. */
  private deliverOffers(offers: Offer[]): void {
    this.emitter.emit("offers", offers);
    // Offers nobody listens for would hold their resources until rescinded: hand them back.
    if (this.offerStreams.size === 0 && this.emitter.listenerCount("offers") === 0) {
      this.declineUnconsumed(offers);
      return;
    }
    for (const s of this.offerStreams) void s.push(offers);
  }

  private declineUnconsumed(batch: Offer[]): void {
    if (batch.length === 0) return;
    this.counters.offersDeclinedUnconsumed += batch.length;
    this.logger.debug({ offers: batch.length }, "no offers handler or offers() iterator: offers declined");
    this.decline(batch.map((o) => o.id)).catch((err: unknown) =>
      this.logger.warn({ err }, "decline of unconsumed offers failed"),
    );
  }

  private dropOffers(batch: Offer[]): void {
    this.counters.offersDropped += batch.length;
    this.logger.warn({ offers: batch.length }, "offers() consumer is behind: oldest offers dropped");
    // Decline only when no one else saw these offers, or we could decline what another consumer launches on.
    if (this.emitter.listenerCount("offers") > 0 || this.offerStreams.size > 1 || batch.length === 0) return;
    this.decline(batch.map((o) => o.id)).catch((err: unknown) =>
      this.logger.warn({ err }, "decline of dropped offers failed"),
    );
  }

  private sendAcknowledgement(status: TaskStatus): void {
    const { uuid, agentId, taskId } = status;
    if (uuid === undefined || this.id === undefined) return;
    if (agentId === undefined) {
      this.logger.warn({ taskId, uuid }, "status has a uuid but no agentId: it cannot be acknowledged");
      return;
    }
    // Acknowledged from now on, even if the publish fails: the agent's resend is then acknowledged again.
    this.recent.markAcknowledged(uuid);
    this.acknowledger.add({ agentId, taskId, uuid });
  }

  private requireSubscribed(): FrameworkId {
    if (this.closed) throw closedError();
    if (this.id === undefined) throw new SchedulerError("NOT_SUBSCRIBED", "call subscribe() first");
    return this.id;
  }

  private async call(build: (frameworkId: FrameworkId) => CallInput): Promise<void> {
    await this.client.request(build(this.requireSubscribed()));
  }
}

/** `maxAcceptsInFlight`, checked: a whole number, 0 or more. */
function acceptLimit({ maxAcceptsInFlight }: SchedulerOptions): number {
  const limit = maxAcceptsInFlight ?? schedulerDefaults.maxAcceptsInFlight;
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new SchedulerError(
      "INVALID_OPTIONS",
      `maxAcceptsInFlight: must be a whole number, 0 or more (0: no bound), not ${limit}`,
      { field: "maxAcceptsInFlight" },
    );
  return limit;
}

/** The framework info with the credential's principal; a different `framework.principal` is refused. */
function withPrincipal({ framework, credential }: SchedulerOptions): SchedulerOptions["framework"] {
  if (!credential) return framework;
  if (framework.principal !== undefined && framework.principal !== credential.principal)
    throw new SchedulerError(
      "INVALID_OPTIONS",
      `framework.principal: '${framework.principal}' is not the credential's principal '${credential.principal}'`,
      { field: "framework.principal" },
    );
  return { ...framework, principal: credential.principal };
}

/** The framework info declaring that this SDK understands `updates` events (it delivers them one status at a time). */
function withUpdateBatches(info: FrameworkInfo): FrameworkInfo {
  const capabilities = info.capabilities ?? [];
  if (capabilities.includes(UPDATE_BATCHES)) return info;
  return { ...info, capabilities: [...capabilities, UPDATE_BATCHES] };
}

function closedError(): SchedulerError {
  return new SchedulerError("CLOSED", "the scheduler was closed");
}
