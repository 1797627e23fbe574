import type { CallOf, TaskInfo } from "@agora/protocol";
import { forbidden } from "@agora/security";
import type { MasterContext } from "../context.js";
import type { FrameworkEntry } from "../registry/entries.js";

/**
 * The accept's reserve and unreserve operations against the ACLs, before anything happens (so a
 * refused one fails the whole accept, as an invalid one does): `reserve_resources` by the role
 * reserved for, `unreserve_resources` by the principal that made the reservation (Mesos' objects).
 */
export function authorizeOperations(
  ctx: MasterContext,
  framework: FrameworkEntry,
  call: CallOf<"accept">,
): void {
  const authz = ctx.authorization;
  if (!authz) return;
  const principal = framework.info.principal;
  for (const op of call.operations) {
    if (op.type === "reserve")
      for (const r of op.resources) authz.check("reserve_resources", principal, r.reservation?.role);
    if (op.type === "unreserve")
      for (const r of op.resources) authz.check("unreserve_resources", principal, r.reservation?.principal);
  }
}

/**
 * Why the framework may not launch this task (`run_tasks`: its principal → the OS user the task runs
 * as: its command's user, else its executor's, else the framework's, as Mesos picks it), or undefined
 * when it may.
 */
export function launchRefusal(
  ctx: MasterContext,
  framework: FrameworkEntry,
  task: TaskInfo,
): string | undefined {
  const user = task.command?.user || task.executor?.command.user || framework.info.user;
  const principal = framework.info.principal;
  if (!ctx.authorization || ctx.authorization.allows("run_tasks", principal, user)) return undefined;
  return forbidden({ action: "run_tasks", principal, object: user }).message;
}
