import { z } from "zod";

// Agent and framework ids appear inside bus subjects (`agora.<cluster>.agent.<id>.cmd`), so they
// must be a single NATS token: no dots, wildcards or whitespace.
const subjectToken = /^[A-Za-z0-9_-]{1,128}$/;
// Task ids become sandbox directory names, so no path separators and never "." or "..".
const taskIdPattern = /^(?!\.{1,2}$)[A-Za-z0-9_.:@-]{1,255}$/;

export const AgentId = z
  .string()
  .regex(subjectToken, "must be 1-128 characters of A-Z a-z 0-9 _ -")
  .brand<"AgentId">();
export type AgentId = z.infer<typeof AgentId>;

export const FrameworkId = z
  .string()
  .regex(subjectToken, "must be 1-128 characters of A-Z a-z 0-9 _ -")
  .brand<"FrameworkId">();
export type FrameworkId = z.infer<typeof FrameworkId>;

export const OfferId = z
  .string()
  .regex(subjectToken, "must be 1-128 characters of A-Z a-z 0-9 _ -")
  .brand<"OfferId">();
export type OfferId = z.infer<typeof OfferId>;

export const TaskId = z
  .string()
  .regex(taskIdPattern, "must be 1-255 characters of A-Z a-z 0-9 _ . : @ - and not '.' or '..'")
  .brand<"TaskId">();
export type TaskId = z.infer<typeof TaskId>;

export const ExecutorId = z.string().regex(taskIdPattern).brand<"ExecutorId">();
export type ExecutorId = z.infer<typeof ExecutorId>;

/** Status update uuids: the agent mints one per update; acknowledgements name it. */
export const UpdateUuid = z.string().uuid();

/**
 * Role names as in Mesos: `*` (the default role) or a `/`-separated path of segments that do not
 * start with `.` or `-` and contain no whitespace (e.g. `eng`, `eng/web`).
 */
export const RoleName = z
  .string()
  .regex(
    /^(\*|[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*)$/,
    "must be '*' or '/'-separated segments of A-Z a-z 0-9 _ . - not starting with '.' or '-'",
  );
export type RoleName = z.infer<typeof RoleName>;

export const DEFAULT_ROLE = "*";

/** Mints a fresh id for any of the branded id types (uuid v4 without dashes is a valid token). */
export function newId<T extends string>(prefix = ""): T {
  return `${prefix}${crypto.randomUUID()}` as T;
}
