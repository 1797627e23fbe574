/**
 * @agora/protocol — the vocabulary every Agora component speaks: zod schemas of every bus message
 * and stored record (types inferred from them), branded ids, subjects, resource arithmetic and the
 * task state machine. No I/O. Listed by name: a name is public because a component or a framework
 * author needs it, not because its module happens to export it (helpers such as `formatRanges`
 * or `reserved` stay inside; Mesos' v1 JSON lives behind "./mesos-v1").
 */

export {
  Acknowledgement,
  AgentCommand,
  type AgentCommandOf,
  AgentInfo,
  AgentMessage,
  type AgentMessageOf,
  AgentRegistered,
  AgentTask,
  Pong,
  StatusUpdate,
} from "./agent-messages.js";
export { AgoraError, type AgoraErrorOptions, isAgoraError } from "./agora-error.js";
export {
  Call,
  type CallInput,
  type CallOf,
  CallReply,
  type CallType,
  Operation,
  type OperationInput,
} from "./calls.js";
export { type Decoded, decode, encode } from "./codec.js";
export { Credential } from "./credential.js";
export { isProtocolError, ProtocolError, type ProtocolErrorCode, protocolErrorCodes } from "./errors.js";
export { Event, type EventOf, type EventType, UPDATE_BATCHES } from "./events.js";
export {
  DurationInfo,
  Filters,
  FrameworkInfo,
  type FrameworkInfoInput,
  MasterInfo,
  Offer,
  TimeInfo,
  Unavailability,
} from "./framework.js";
export {
  AgentId,
  DEFAULT_ROLE,
  ExecutorId,
  FrameworkId,
  newId,
  OfferId,
  RoleName,
  TaskId,
  UpdateUuid,
} from "./ids.js";
export {
  add,
  allocatableTo,
  contains,
  equals,
  flatten,
  isWithinRole,
  normalize,
  rangesOf,
  roleOf,
  roundScalar,
  scalarOf,
  subtract,
  unreserved,
} from "./resources/arithmetic.js";
export { attributeValues } from "./resources/attributes.js";
export { type MesosResources, mesosAttributes, mesosResources } from "./resources/mesos-json.js";
export { coalesce, rangesSize, rangeValues, subtractRanges, takeFromRanges } from "./resources/ranges.js";
export {
  Attribute,
  Range,
  RangesResource,
  Reservation,
  Resource,
  ResourceName,
  Resources,
  ScalarResource,
  SetResource,
} from "./resources/schema.js";
export { formatResources, parseAttributes, parseResources } from "./resources/text.js";
export { DEFAULT_CLUSTER, principalToken, type Subjects, subjects } from "./subjects.js";
export {
  CommandInfo,
  type CommandInfoInput,
  ContainerInfo,
  type ContainerInfoInput,
  Environment,
  ExecutorInfo,
  HealthCheck,
  type HealthCheckInput,
  hasProgram,
  KillPolicy,
  Labels,
  PortMapping,
  StatusSource,
  TaskInfo,
  type TaskInfoInput,
  TaskRecord,
  TaskState,
  TaskStatus,
  TaskStatusReason,
  Volume,
} from "./task.js";
export { canTransition, isActiveState, isTerminalState } from "./task-state-machine.js";

export { deepestUnionIssue, type FieldIssue, firstIssue } from "./zod-issue.js";

/** The Agora version every component reports (`/version`, registration). */
export const AGORA_VERSION = "0.1.0";
