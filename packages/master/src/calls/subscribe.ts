import { type CallOf, type FrameworkId, newId } from "@agora/protocol";
import { isSecurityError } from "@agora/security";
import type { MasterContext } from "../context.js";
import { MasterError } from "../errors.js";
import { rescindAllOffers } from "../offers.js";
import { persist, unpersist } from "../persistence.js";
import { registryKeys } from "../registry/records.js";

/**
 * Subscribe: a new id admits a new framework, a known id resumes it (re-subscribe). Either way
 * the framework is stored, gets a `subscribed` event, and allocation runs soon.
 */
export async function subscribe(ctx: MasterContext, call: CallOf<"subscribe">): Promise<FrameworkId> {
  const id = call.frameworkInfo.id ?? newId<FrameworkId>();
  if (ctx.state.isCompletedFramework(id)) {
    throw new MasterError("FRAMEWORK_REMOVED", `framework ${id} was torn down; subscribe with a new id`, {
      field: "frameworkInfo.id",
    });
  }
  const existing = ctx.state.frameworks.get(id);
  authorizeRoles(ctx, call.frameworkInfo.roles, existing?.info.principal ?? call.frameworkInfo.principal, {
    id,
    known: existing !== undefined,
  });
  // As in Mesos' UPDATE_FRAMEWORK, checkpoint, principal and user cannot change on re-subscribe.
  const info = existing
    ? {
        ...call.frameworkInfo,
        id,
        user: existing.info.user,
        checkpoint: existing.info.checkpoint,
        principal: existing.info.principal,
      }
    : { ...call.frameworkInfo, id };
  await persist(ctx, registryKeys.framework(id), info);

  const now = ctx.now();
  if (existing) {
    // Offers made before the framework (re)connected may never have reached it: take them back.
    rescindAllOffers(ctx, existing.offers);
    existing.info = info;
    existing.role = info.roles[0] ?? "*";
    existing.connected = true;
    if (existing.failoverDeadline !== undefined) unpersist(ctx, registryKeys.failover(id));
    existing.failoverDeadline = undefined;
    existing.active = true;
    existing.suppressedRoles.clear();
    existing.reregisteredAt = now;
    existing.lastSeenAt = now;
    ctx.options.logger.info({ frameworkId: id, name: info.name }, "framework re-subscribed");
  } else {
    ctx.state.addFramework(info, now, true);
    ctx.options.logger.info({ frameworkId: id, name: info.name }, "framework subscribed");
  }
  ctx.out.toFramework(id, {
    type: "subscribed",
    frameworkId: id,
    heartbeatIntervalSeconds: ctx.options.heartbeatIntervalSeconds,
    masterInfo: ctx.masterInfo,
  });
  ctx.requestAllocation();
  return id;
}

/**
 * `register_frameworks`: the framework's principal must be allowed every role it subscribes in, on a
 * first subscribe and on each re-subscribe (Mesos authorizes both). A refused new framework also gets
 * an `error` event naming the action, as Mesos' ERROR event, for schedulers that only listen; a known
 * one does not, so a stranger's subscribe with its id cannot disturb its stream.
 */
function authorizeRoles(
  ctx: MasterContext,
  roles: readonly string[],
  principal: string | undefined,
  framework: { id: FrameworkId; known: boolean },
): void {
  try {
    for (const role of roles) ctx.authorization?.check("register_frameworks", principal, role);
  } catch (err) {
    // Not registered yet: its events subject is named by the principal it subscribes with.
    if (isSecurityError(err) && !framework.known)
      ctx.out.toFramework(framework.id, { type: "error", message: err.message }, principal);
    throw err;
  }
}
