import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a login lasts unless told otherwise: a working day, as the web UI keeps it for the session only. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionTokensOptions {
  /** The HMAC-SHA256 key (default: 32 random bytes, so a restart logs everybody out). */
  key?: Buffer;
  /** Lifetime of a token (default 12 h). */
  ttlMs?: number;
  /** The clock (default `Date.now`), injected so expiry is testable. */
  now?: () => number;
}

/** What `issue` hands the web UI after a login. */
export interface Session {
  principal: string;
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/**
 * The master's login sessions: a token names its principal and expiry, signed with a key only this
 * process holds, so nothing is stored and a token cannot be forged or stretched. Token form:
 * `<base64url(JSON {p, e})>.<base64url(HMAC)>`.
 *
 * @example
 * const sessions = new SessionTokens();
 * const { token } = sessions.issue("ops");
 * sessions.verify(token); // "ops"
 */
export class SessionTokens {
  private readonly key: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(o: SessionTokensOptions = {}) {
    this.key = o.key ?? randomBytes(32);
    this.ttlMs = o.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.now = o.now ?? Date.now;
  }

  issue(principal: string): Session {
    const expiresAt = this.now() + this.ttlMs;
    const payload = b64(JSON.stringify({ p: principal, e: expiresAt }));
    return { principal, token: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The principal a token was issued to, or undefined when it is malformed, forged or expired. */
  verify(token: string): string | undefined {
    const dot = token.indexOf(".");
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), "base64url");
    const want = Buffer.from(this.sign(payload), "base64url");
    if (given.length !== want.length || !timingSafeEqual(given, want)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    const { p, e } = (claims ?? {}) as { p?: unknown; e?: unknown };
    if (typeof p !== "string" || typeof e !== "number" || e <= this.now()) return undefined;
    return p;
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}
