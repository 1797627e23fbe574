export * from "./bus.js";
export * from "./clock.js";
export * from "./errors.js";
export { FileStateStore, type FileStateStoreOptions } from "./file-state-store.js";
export { InProcessBus } from "./in-process-bus.js";
export {
  type HasNatsConnection,
  JetStreamStateStore,
  type JetStreamStateStoreOptions,
} from "./jetstream-state-store.js";
export { encodeJson, KeyedWriter } from "./keyed-writer.js";
export { AlwaysLeader } from "./leader-always.js";
export type { Candidate, LeaderElection, LeaderInfo, LeadershipHandlers } from "./leader-election.js";
export {
  DEFAULT_LEASE_TTL_MS,
  type JetStreamLeaderElectionOptions,
  openJetStreamLeaderElection,
} from "./leader-jetstream.js";
export { type LeaseElectionOptions, LeaseLeaderElection } from "./leader-lease.js";
export { MemoryStateStore } from "./memory-state-store.js";
export { connectNatsBus, NatsBus, type NatsBusOptions, type NatsReconnectOptions } from "./nats-bus.js";
export * from "./state-store.js";
export { assertValidKey, assertValidPrefix } from "./store-keys.js";
