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
export { MemoryStateStore } from "./memory-state-store.js";
export { connectNatsBus, NatsBus, type NatsBusOptions, type NatsReconnectOptions } from "./nats-bus.js";
export * from "./state-store.js";
export { assertValidKey, assertValidPrefix } from "./store-keys.js";
