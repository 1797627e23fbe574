/**
 * @agora/transport — the bus (NATS and in-process), the state store (memory, file, JetStream KV)
 * and leader election. Sibling-only helpers are in "./internal", test harnesses in "./testing".
 */
export type { Bus, BusMessage, BusSubscription, RequestOptions, SubscribeOptions } from "./bus.js";
export { type Clock, ManualClock, systemClock, type TimerHandle } from "./clock.js";
export {
  isTransportError,
  TransportError,
  type TransportErrorCode,
  transportErrorCodes,
} from "./errors.js";
export { FileStateStore, type FileStateStoreOptions } from "./file-state-store.js";
export { InProcessBus } from "./in-process-bus.js";
export {
  type HasNatsConnection,
  JetStreamStateStore,
  type JetStreamStateStoreOptions,
} from "./jetstream-state-store.js";
export { AlwaysLeader } from "./leader-always.js";
export type { Candidate, LeaderElection, LeaderInfo, LeadershipHandlers } from "./leader-election.js";
export {
  DEFAULT_LEASE_TTL_MS,
  type JetStreamLeaderElectionOptions,
  openJetStreamLeaderElection,
} from "./leader-jetstream.js";
export { type LeaseElectionOptions, LeaseLeaderElection } from "./leader-lease.js";
export { MemoryStateStore } from "./memory-state-store.js";
export {
  connectNatsBus,
  type NatsAuth,
  NatsBus,
  type NatsBusOptions,
  type NatsReconnectOptions,
} from "./nats-bus.js";
export type { PutOptions, StateStore, StoreEntry, StoreWatch, WatchEvent } from "./state-store.js";
