import { randomUUID } from "node:crypto";
import {
  AgentCommand,
  type AgentId,
  type AgentMessage,
  AgentRegistered,
  CallReply,
  type Credential,
  decode,
  encode,
  type Pong,
  type Subjects,
} from "@agora/protocol";
import {
  type Bus,
  type BusMessage,
  type BusSubscription,
  type Clock,
  isTransportError,
  type TimerHandle,
} from "@agora/transport";
import type { Logger } from "pino";
import { z } from "zod";

/** Mesos' agent registration backoff: 1 s, doubling, capped at 1 min. */
export const REGISTRATION_BACKOFF = { initialMs: 1000, maxMs: 60_000 } as const;
/** Pings missed in a row before the agent presumes the master gone and reregisters. */
export const MISSED_PINGS_BEFORE_REREGISTER = 5;

const RegistrationReply = z.union([AgentRegistered, CallReply]);

/** The commands the link hands on to the agent; it answers pings and reregistration requests itself. */
export type ForwardedCommand = Exclude<AgentCommand, { type: "ping" | "reregisterRequested" }>;

export interface MasterLinkCounters {
  /** Commands that failed their schema. */
  invalidCommands: number;
  /** Commands from an older epoch than the highest seen. */
  staleCommands: number;
  /** Successful registrations and reregistrations. */
  registrations: number;
  /** Registrations the master answered with an error. */
  refusedRegistrations: number;
}

export interface MasterLinkOptions {
  bus: Bus;
  subjects: Subjects;
  clock: Clock;
  logger: Logger;
  /** Sent with every (re)registration when the master authenticates agents (Mesos' agent `--credential`). */
  credential?: Credential | undefined;
  /** The register (no id yet) or reregister (with id, tasks and unacknowledged updates) message to send now. */
  registration(agentId: AgentId | undefined): AgentMessage;
  /** A valid command of the current or a newer epoch, other than ping and reregisterRequested. */
  onCommand(command: ForwardedCommand): void;
  /** Called after each (re)registration, once the agent listens on its command subject. */
  onRegistered?(reply: AgentRegistered): void;
  requestTimeoutMs?: number;
}

/**
 * The agent's connection to the leading master: registration with backoff while no master
 * answers, the command subscription, epochs, pings and the ping watchdog that triggers a
 * reregistration when the master falls silent.
 */
export class MasterLink {
  readonly counters: MasterLinkCounters = {
    invalidCommands: 0,
    staleCommands: 0,
    registrations: 0,
    refusedRegistrations: 0,
  };
  private agentIdValue: AgentId | undefined;
  private epochValue = 0;
  private commands: BusSubscription | undefined;
  private registering: Promise<void> | undefined;
  private watchdog: TimerHandle | undefined;
  private watchdogMs = 0;
  private backoffTimer: { handle: TimerHandle; wake: (asked?: boolean) => void } | undefined;
  private stopped = false;
  /** Sent with every `register` of this agent, so the master takes a retry for the same agent. */
  private readonly instanceId = randomUUID();

  constructor(private readonly options: MasterLinkOptions) {}

  get agentId(): AgentId | undefined {
    return this.agentIdValue;
  }

  /** The highest master epoch seen. */
  get epoch(): number {
    return this.epochValue;
  }

  /**
   * Takes the id a previous agent process registered with (from its checkpoint), so the first
   * registration is a reregistration as that agent. Only before the first registration.
   */
  resume(agentId: AgentId): void {
    this.agentIdValue ??= agentId;
  }

  /** Registers (or reregisters) and resolves once registered; retries until a master answers or `stop()`. */
  register(): Promise<void> {
    this.registering ??= this.registerLoop().finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  stop(): void {
    this.stopped = true;
    if (this.watchdog) this.options.clock.clear(this.watchdog);
    if (this.backoffTimer) {
      this.options.clock.clear(this.backoffTimer.handle);
      this.backoffTimer.wake();
    }
    this.commands?.unsubscribe();
    this.commands = undefined;
  }

  private async registerLoop(): Promise<void> {
    const { bus, subjects, logger } = this.options;
    let backoffMs: number = REGISTRATION_BACKOFF.initialMs;
    /** The id a first registration got, once the agent listens under it: the master waits to hear so. */
    let confirming: AgentId | undefined;
    while (!this.stopped) {
      const built = this.options.registration(confirming === undefined ? this.agentIdValue : undefined);
      const credential = this.options.credential ? { credential: this.options.credential } : {};
      const listening = confirming === undefined ? {} : { listeningAs: confirming };
      const message =
        built.type === "register"
          ? {
              ...built,
              instanceId: this.instanceId,
              confirmsListening: true as const,
              ...listening,
              ...credential,
            }
          : built.type === "reregister"
            ? { ...built, ...credential }
            : built;
      try {
        // A restarted agent listens under its id before it reregisters: what the master sends right
        // after its reply (a kill it sends again, as Mesos does) must not beat the subscription.
        if (this.agentIdValue !== undefined && !this.commands) await this.listen(this.agentIdValue);
        const bytes = await bus.request(subjects.masterAgent, encode(message), {
          timeoutMs: this.options.requestTimeoutMs ?? 5000,
        });
        const reply = decode(RegistrationReply, bytes);
        if (!reply.ok) {
          logger.warn({ err: reply.error }, "invalid registration reply");
        } else if ("type" in reply.value) {
          if (this.stopped || reply.value.agentId === confirming) return;
          await this.registered(reply.value);
          // A reregistering agent listened before it asked; a new one tells the master it listens now.
          if (message.type !== "register") return;
          confirming = reply.value.agentId;
          continue;
        } else if (!reply.value.ok) {
          this.counters.refusedRegistrations++;
          logger.warn(
            { error: reply.value.error, type: message.type },
            "the master refused the registration",
          );
        }
      } catch (err) {
        if (isTransportError(err, "CLOSED")) return;
        if (isTransportError(err, "NO_RESPONDERS") || isTransportError(err, "TIMEOUT")) {
          logger.info({ type: message.type, retryInMs: backoffMs }, "no master answered; retrying");
        } else {
          logger.warn({ err, type: message.type }, "registration failed; retrying");
        }
      }
      const asked = await this.sleep(backoffMs);
      // A master asked for the registration: one leads now, so the next try starts a fresh backoff.
      backoffMs = asked
        ? REGISTRATION_BACKOFF.initialMs
        : Math.min(backoffMs * 2, REGISTRATION_BACKOFF.maxMs);
    }
  }

  private async registered(reply: AgentRegistered): Promise<void> {
    const { logger } = this.options;
    this.epochValue = Math.max(this.epochValue, reply.epoch);
    if (this.agentIdValue !== reply.agentId || !this.commands) await this.listen(reply.agentId);
    this.counters.registrations++;
    this.watchdogMs = reply.pingIntervalSeconds * 1000 * MISSED_PINGS_BEFORE_REREGISTER;
    this.resetWatchdog();
    logger.info(
      { agentId: reply.agentId, epoch: reply.epoch, master: reply.masterInfo.id },
      "registered with the master",
    );
    this.options.onRegistered?.(reply);
  }

  /** Subscribes to the commands of `agentId` (instead of any earlier id's), confirmed by the server. */
  private async listen(agentId: AgentId): Promise<void> {
    const { bus, subjects } = this.options;
    this.commands?.unsubscribe();
    this.agentIdValue = agentId;
    this.commands = bus.subscribe(subjects.agentCommands(agentId), (msg) => this.receive(msg));
    await bus.flush();
  }

  private receive(msg: BusMessage): void {
    const decoded = decode(AgentCommand, msg.data);
    if (!decoded.ok) {
      this.counters.invalidCommands++;
      this.options.logger.warn({ err: decoded.error, subject: msg.subject }, "dropping an invalid command");
      return;
    }
    const command = decoded.value;
    if (command.epoch < this.epochValue) {
      this.counters.staleCommands++;
      this.options.logger.debug(
        { type: command.type, epoch: command.epoch },
        "ignoring a command of an older epoch",
      );
      return;
    }
    this.epochValue = command.epoch;
    switch (command.type) {
      case "ping": {
        this.resetWatchdog();
        const pong: Pong = { type: "pong", agentId: this.agentIdValue! };
        msg.respond(encode(pong));
        return;
      }
      case "reregisterRequested":
        // A new leader (or one that lost track of this agent) asks: do not wait out the backoff.
        this.backoffTimer?.wake(true);
        void this.register();
        return;
      default:
        this.options.onCommand(command);
    }
  }

  private resetWatchdog(): void {
    const { clock } = this.options;
    if (this.watchdog) clock.clear(this.watchdog);
    if (this.stopped || this.watchdogMs <= 0) return;
    this.watchdog = clock.setTimeout(() => {
      this.watchdog = undefined;
      this.options.logger.warn({ silentForMs: this.watchdogMs }, "no ping from the master; reregistering");
      void this.register();
    }, this.watchdogMs);
  }

  /** Resolves after `ms`, or earlier when woken; true when a master's request woke it. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (asked = false) => {
        if (this.backoffTimer?.handle) this.options.clock.clear(this.backoffTimer.handle);
        this.backoffTimer = undefined;
        resolve(asked);
      };
      this.backoffTimer = { handle: this.options.clock.setTimeout(() => wake(), ms), wake };
    });
  }
}
