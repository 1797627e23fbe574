export * from "./agent-messages.js";
export * from "./calls.js";
export * from "./codec.js";
export * from "./credential.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./framework.js";
export * from "./ids.js";
export * from "./resources/arithmetic.js";
export * from "./resources/attributes.js";
export * from "./resources/mesos-json.js";
export * from "./resources/ranges.js";
export * from "./resources/schema.js";
export * from "./resources/text.js";
export * from "./subjects.js";
export * from "./task.js";
export * from "./task-state-machine.js";

/** The Agora version every component reports (`/version`, registration). */
export const AGORA_VERSION = "0.1.0";
