import { isTerminalState } from "@agora/protocol";
import type { AppDefinition } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";

/** A snapshot of what the scale check looks at. */
export interface ScaleCheckInput {
  /** Every app of the root group, by id. */
  apps: ReadonlyMap<string, AppDefinition>;
  /** The app's instances that have not ended. */
  instancesOf(appId: string): readonly Instance[];
  queued(appId: string): number;
  /** Apps with queued launches. */
  queuedApps: readonly string[];
  /** True when a running deployment owns the app's count. */
  locked(appId: string): boolean;
  /** When each unreachable instance went out of reach (ms). */
  unreachableSince: ReadonlyMap<string, number>;
  now: number;
}

export interface ScaleCheckResult {
  enqueue: { app: AppDefinition; count: number }[];
  /** `count` undefined: drop the app's whole queue entry. */
  dequeue: { appId: string; count?: number }[];
  kill: string[];
  /** Unreachable instances past `expungeAfterSeconds`: kill and forget them. */
  expunge: string[];
  /** When an unreachable instance turns inactive or expires next (ms); check again then. */
  nextCheckAt: number | undefined;
}

/**
 * Marathon's scale check as a pure function: apps no deployment works on are kept at their count —
 * missing instances queued, surplus ones killed by `killSelection` — and unreachable instances
 * handled by their app's `unreachableStrategy`: active until `inactiveAfterSeconds` (then replaced),
 * expunged after `expungeAfterSeconds`; `disabled` keeps them counted forever. Queue entries of apps
 * that no longer exist (and no deployment stops) are dropped.
 */
export function scaleCheck(s: ScaleCheckInput): ScaleCheckResult {
  const out: ScaleCheckResult = { enqueue: [], dequeue: [], kill: [], expunge: [], nextCheckAt: undefined };
  const later = (at: number) => {
    if (at > s.now && (out.nextCheckAt === undefined || at < out.nextCheckAt)) out.nextCheckAt = at;
  };
  for (const appId of s.queuedApps) if (!s.apps.has(appId) && !s.locked(appId)) out.dequeue.push({ appId });
  for (const app of s.apps.values()) {
    const strategy = app.unreachableStrategy;
    const live = s.instancesOf(app.id).filter((i) => !isTerminalState(i.state));
    const active: Instance[] = [];
    for (const i of live) {
      if (i.state !== "TASK_UNREACHABLE" || strategy === "disabled") {
        if (!i.killRequested) active.push(i);
        continue;
      }
      const since = s.unreachableSince.get(i.taskId) ?? s.now;
      const inactiveAt = since + (strategy?.inactiveAfterSeconds ?? 0) * 1000;
      const expungeAt = since + (strategy?.expungeAfterSeconds ?? 0) * 1000;
      if (s.now >= expungeAt) out.expunge.push(i.taskId);
      else later(expungeAt);
      if (s.now < inactiveAt) {
        later(inactiveAt);
        if (!i.killRequested) active.push(i);
      }
    }
    if (s.locked(app.id)) continue;
    const queued = s.queued(app.id);
    const missing = app.instances - active.length - queued;
    if (missing > 0) out.enqueue.push({ app, count: missing });
    else if (missing < 0 && queued > 0)
      out.dequeue.push({ appId: app.id, count: Math.min(queued, -missing) });
    const surplus = active.length - app.instances;
    if (surplus > 0) {
      const order = [...active].sort((a, b) => a.stagedAt.localeCompare(b.stagedAt));
      if (app.killSelection === "YOUNGEST_FIRST") order.reverse();
      out.kill.push(...order.slice(0, surplus).map((i) => i.taskId));
    }
  }
  return out;
}
