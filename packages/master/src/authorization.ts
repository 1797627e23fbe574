import { Authorization, type Authorizer } from "@agora/security";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";

/**
 * The master's authorization: Mesos' local authorizer over `--acls`, each refusal logged (who, what,
 * on which object) and counted in `agora_authorization_denied_total{action}` on the master's registry.
 */
export function masterAuthorization(
  authorizer: Authorizer,
  logger: Logger,
  registry: Registry,
): Authorization {
  const denied = new Counter({
    name: "agora_authorization_denied_total",
    help: "Requests and calls the ACLs refused, by action",
    labelNames: ["action"],
    registers: [registry],
  });
  return new Authorization(authorizer, {
    onDenied: ({ action, principal, object }) => {
      denied.inc({ action });
      logger.warn({ action, principal: principal ?? null, object: object ?? null }, "not authorized");
    },
  });
}
