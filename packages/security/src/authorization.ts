import { Counter, type Registry } from "prom-client";
import type { AclAction } from "./acls.js";
import type { Authorizer, Principal } from "./authorizer.js";
import { SecurityError } from "./errors.js";

/** One refusal: who asked, for what, on which object. */
export interface Denial {
  readonly action: AclAction;
  readonly principal: Principal;
  readonly object: string | undefined;
}

/** Where denials go: each role logs them and counts them in its own metrics registry. */
export interface AuthorizationOptions {
  /** Called once per refused `check` or `allows` (not for `visible`, which filters what is shown). */
  onDenied: (denial: Denial) => void;
}

/**
 * The authorizer as every role's handlers use it: `check` throws `FORBIDDEN` naming the action,
 * `allows` answers, both report each refusal through `onDenied`; `visible` decides what a listing
 * shows (Mesos' view ACLs filter, they do not refuse) and reports nothing, since a dashboard that polls
 * `/master/state` every second would otherwise log one line per hidden framework per second.
 *
 * @example
 * const authz = new Authorization(await loadAuthorizer(flags.acls), {
 *   onDenied: (d) => { logger.warn(d, "not authorized"); denied.inc({ action: d.action }); },
 * });
 * authz.check("update_weights", principal, "eng");
 */
export class Authorization {
  constructor(
    readonly authorizer: Authorizer,
    private readonly options: AuthorizationOptions,
  ) {}

  /** Whether `principal` may do `action` on `object`; a refusal is reported. */
  allows(action: AclAction, principal: Principal, object: string | undefined): boolean {
    if (this.authorizer.allows(action, principal, object)) return true;
    this.options.onDenied({ action, principal, object });
    return false;
  }

  /** Throws `FORBIDDEN` (403) naming the action, the principal and the object when not allowed. */
  check(action: AclAction, principal: Principal, object: string | undefined): void {
    if (!this.allows(action, principal, object)) throw forbidden({ action, principal, object });
  }

  /** Whether a listing may show `object` to `principal` (a view action); nothing is reported. */
  visible(action: AclAction, principal: Principal, object: string | undefined): boolean {
    return this.authorizer.allows(action, principal, object);
  }
}

/** The error of a refusal: code FORBIDDEN, the message naming the action as Mesos' ACLs call it. */
export function forbidden({ action, principal, object }: Denial): SecurityError {
  const who = principal === undefined ? "an anonymous principal" : `principal '${principal}'`;
  const what = object === undefined ? "" : ` on '${object}'`;
  return new SecurityError("FORBIDDEN", `Not authorized: ${who} may not ${action}${what}`);
}

/** What a refusal is logged through (pino's shape). */
export interface DenialLogger {
  warn(fields: object, message: string): void;
}

/**
 * The authorization every role builds: each refusal logged as `not authorized` with who, what and on
 * which object, and counted through `count` (a role's metrics).
 */
export function loggedAuthorization(
  authorizer: Authorizer,
  logger: DenialLogger,
  count: (action: AclAction) => void,
): Authorization {
  return new Authorization(authorizer, {
    onDenied: ({ action, principal, object }) => {
      count(action);
      logger.warn({ action, principal: principal ?? null, object: object ?? null }, "not authorized");
    },
  });
}

/** `loggedAuthorization` counting in `agora_authorization_denied_total{action}` on a Prometheus registry. */
export function countedAuthorization(
  authorizer: Authorizer,
  logger: DenialLogger,
  registry: Registry,
): Authorization {
  const denied = new Counter({
    name: "agora_authorization_denied_total",
    help: "Requests and calls the ACLs refused, by action",
    labelNames: ["action"],
    registers: [registry],
  });
  return loggedAuthorization(authorizer, logger, (action) => denied.inc({ action }));
}
