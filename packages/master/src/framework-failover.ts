import { teardown } from "./calls/teardown.js";
import type { MasterContext } from "./context.js";
import { rescindAllOffers } from "./offers.js";
import { persistLater } from "./persistence.js";
import type { FrameworkEntry } from "./registry/entries.js";
import { registryKeys } from "./registry/records.js";

/** How often frameworks' liveness and failover deadlines are checked (a tick sent through the calls). */
export const FRAMEWORK_CHECK_INTERVAL_MS = 1000;

/**
 * Mesos' framework failover: a connected framework that went silent for `frameworkTimeoutMs` is
 * disconnected (its offers rescinded, none made); its tasks keep running until its
 * `failoverTimeout` has passed, and a re-subscribe with its id before then resumes it. Past the
 * deadline it is torn down and its tasks killed. A framework the master only knows from its
 * registry or an agent's reregistration (after a master restart) gets its failover timeout, but at
 * least `frameworkTimeoutMs`, from when this master first saw it, so it has time to re-subscribe.
 */
export function checkFrameworks(
  ctx: MasterContext,
  /** Every call sent before this time (clock ms) has been handled: silence is judged as of then. */
  caughtUpTo: number,
): void {
  const now = ctx.now();
  for (const framework of [...ctx.state.frameworks.values()]) {
    const failoverMs = (framework.info.failoverTimeout ?? 0) * 1000;
    if (framework.connected) {
      if (caughtUpTo - framework.lastSeenAt > ctx.options.frameworkTimeoutMs)
        disconnect(ctx, framework, now + failoverMs, "no call within the framework timeout");
      continue;
    }
    if (framework.failoverDeadline === undefined) {
      framework.failoverDeadline = now + Math.max(failoverMs, ctx.options.frameworkTimeoutMs);
      persistLater(ctx, registryKeys.failover(framework.id), { deadline: framework.failoverDeadline });
      continue;
    }
    if (now >= framework.failoverDeadline) {
      ctx.options.logger.info({ frameworkId: framework.id }, "framework failover timeout passed");
      teardown(ctx, framework);
    }
  }
}

/**
 * A framework whose connection closed (a Mesos v1 HTTP scheduler's stream): disconnected at once, as
 * Mesos does, rather than after the framework timeout; its failover timeout starts now.
 */
export function connectionClosed(ctx: MasterContext, framework: FrameworkEntry): void {
  if (!framework.connected) return;
  disconnect(
    ctx,
    framework,
    ctx.now() + (framework.info.failoverTimeout ?? 0) * 1000,
    "its connection closed",
  );
}

function disconnect(ctx: MasterContext, framework: FrameworkEntry, deadline: number, why: string): void {
  framework.connected = false;
  framework.failoverDeadline = deadline;
  persistLater(ctx, registryKeys.failover(framework.id), { deadline });
  rescindAllOffers(ctx, framework.offers);
  ctx.options.logger.info(
    { frameworkId: framework.id, failoverTimeoutSeconds: framework.info.failoverTimeout ?? 0 },
    `framework disconnected: ${why}`,
  );
  ctx.requestAllocation();
}
