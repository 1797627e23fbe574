import type { Credential } from "@agora/protocol";
import { type Credentials, SecurityError } from "@agora/security";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";

/**
 * Mesos' `--authenticate_frameworks`, `--authenticate_agents`, `--authenticate_http_frameworks` and
 * `--credentials`.
 */
export interface AuthenticationOptions {
  /** Every framework must subscribe with its principal's secret (default false). */
  frameworks?: boolean;
  /**
   * Every call to the Mesos v1 scheduler API (`/api/v1/scheduler`) must carry HTTP basic credentials of
   * a principal of `credentials`, as in Mesos' realm `mesos-master-scheduler` (default false).
   */
  httpFrameworks?: boolean;
  /** Every agent must (re)register with its principal's secret (default false). */
  agents?: boolean;
  /** The principals and secrets checked; without them, nothing can be authenticated. */
  credentials?: Credentials;
}

/** Who authenticates: a framework's subscribe or an agent's (re)registration. */
export type Peer = "framework" | "agent";

/**
 * The master's authentication of frameworks and agents over the bus. A peer that presents a secret
 * must present the right one, whether or not authentication is required (as Mesos refuses a failed
 * attempt either way); a peer without one is admitted only when its kind is not required to
 * authenticate. Each refusal is logged (who, why; never the secret) and counted in
 * `agora_master_authentication_failures_total{peer,reason}`.
 */
export class Authentication {
  private readonly failures: Counter<"peer" | "reason">;

  constructor(
    private readonly options: AuthenticationOptions,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.failures = new Counter({
      name: "agora_master_authentication_failures_total",
      help: "Framework subscriptions and agent registrations refused for missing or wrong credentials",
      labelNames: ["peer", "reason"],
      registers: [registry],
    });
  }

  /** Whether `peer`s must authenticate. */
  required(peer: Peer): boolean {
    return (peer === "framework" ? this.options.frameworks : this.options.agents) ?? false;
  }

  /**
   * Checks a peer's credential; throws `SecurityError` `UNAUTHENTICATED` naming why (Mesos: "Framework
   * authentication failed") when it is missing while required, or wrong. `field` names where the
   * credential travels in the message, for the refusal.
   */
  check(peer: Peer, credential: Partial<Credential>, field: { principal: string; secret: string }): void {
    const { principal, secret } = credential;
    if (secret === undefined) {
      if (!this.required(peer)) return;
      const missing = principal === undefined ? "no principal and no secret" : "no secret";
      this.refuse(
        peer,
        principal,
        "missing",
        `${missing} given`,
        principal === undefined ? field.principal : field.secret,
      );
    }
    if (principal === undefined)
      this.refuse(peer, undefined, "missing", "a secret without a principal", field.principal);
    const credentials = this.options.credentials;
    if (!credentials) {
      // Mesos' authenticator with no credentials refuses every attempt; so does this master.
      this.refuse(peer, principal, "no_credentials", "this master has no --credentials", field.secret);
    }
    if (!credentials.check(principal, secret))
      this.refuse(
        peer,
        principal,
        "wrong_secret",
        `wrong secret for principal '${principal}' (or no such principal)`,
        field.secret,
      );
  }

  /**
   * Mesos' HTTP framework realm: under `httpFrameworks`, a call to `/api/v1/scheduler` must come with
   * the HTTP basic credentials (`basic`) of a principal of `--credentials`. Throws `UNAUTHENTICATED`,
   * counted and logged as a framework's, when they are missing or wrong; does nothing otherwise (a
   * SUBSCRIBE's credentials are checked again with the call, as a bus framework's).
   */
  checkHttpFramework(basic: Credential | undefined): void {
    if (!this.options.httpFrameworks) return;
    if (basic === undefined)
      this.refuse("framework", undefined, "missing", "no HTTP basic credentials given", "authorization");
    this.check("framework", basic, { principal: "authorization", secret: "authorization" });
  }

  /** Counts and logs a refusal that is not about the secret: a call on another principal's subject. */
  refuse(peer: Peer, principal: string | undefined, reason: string, why: string, field: string): never {
    this.failures.inc({ peer, reason });
    this.logger.warn({ peer, principal: principal ?? null, reason }, `${peer} authentication failed: ${why}`);
    const who = peer === "framework" ? "Framework" : "Agent";
    throw new SecurityError("UNAUTHENTICATED", `${who} authentication failed: ${why}`, { field });
  }
}
