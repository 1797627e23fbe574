import type { HealthCheckDefinition } from "../model/app-definition.js";
import { appsOf, type Group } from "../model/group.js";

export interface HealthCheckChange {
  appId: string;
  healthCheck: HealthCheckDefinition;
  /** True: the check appears with the deployment (`add_health_check_event`); false: it goes away. */
  added: boolean;
}

/**
 * The health checks a deployment from `original` to `target` starts and stops, per app, compared
 * by value: Marathon's `add_health_check_event` / `remove_health_check_event`. A removed app's
 * checks stop, a new app's start, a changed check is one removed and one added.
 */
export function healthCheckChanges(original: Group, target: Group): HealthCheckChange[] {
  const before = appsOf(original);
  const after = appsOf(target);
  const changes: HealthCheckChange[] = [];
  for (const appId of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(appId)?.healthChecks ?? [];
    const now = after.get(appId)?.healthChecks ?? [];
    const oldKeys = new Set(old.map(keyOf));
    const nowKeys = new Set(now.map(keyOf));
    for (const healthCheck of old)
      if (!nowKeys.has(keyOf(healthCheck))) changes.push({ appId, healthCheck, added: false });
    for (const healthCheck of now)
      if (!oldKeys.has(keyOf(healthCheck))) changes.push({ appId, healthCheck, added: true });
  }
  return changes;
}

function keyOf(check: HealthCheckDefinition): string {
  return JSON.stringify(check, Object.keys(check).sort());
}
