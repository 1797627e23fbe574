import type { Call, CommandInfo, ContainerInfo, HealthCheck, Operation, TaskInfo } from "@agora/protocol";

/**
 * What a schema accepts before its defaults apply (zod's `z.input`), spelled without importing
 * zod, so authors may leave out defaulted fields such as `command.shell`.
 */
type InputOf<S extends { _zod: { input: unknown } }> = S["_zod"]["input"];

export type CallInput = InputOf<typeof Call>;
export type OperationInput = InputOf<typeof Operation>;
export type TaskInfoInput = InputOf<typeof TaskInfo>;
export type CommandInfoInput = InputOf<typeof CommandInfo>;
export type ContainerInfoInput = InputOf<typeof ContainerInfo>;
export type HealthCheckInput = InputOf<typeof HealthCheck>;
