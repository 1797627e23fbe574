/**
 * For benchmarks and the CLI only, not a Marathon user's API: the runtime without its HTTP server
 * (bench/marathon-scale.bench.ts drives it directly) and the app model it takes.
 */
export { AppDefinition } from "./model/app-definition.js";
export type { Group } from "./model/group.js";
export { MarathonRuntime } from "./runtime/runtime.js";
export type { MarathonRuntimeOptions } from "./runtime/runtime-options.js";
