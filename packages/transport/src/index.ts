export * from "./bus.js";
export * from "./state-store.js";
export * from "./clock.js";
export * from "./errors.js";
export { InProcessBus } from "./in-process-bus.js";
