import { createHash, timingSafeEqual } from "node:crypto";
import { firstIssue } from "@agora/protocol";
import { z } from "zod";
import { configError } from "./errors.js";

/** Mesos' credentials JSON (`--credentials`, `--http-credentials`): `{"credentials":[{"principal","secret"}]}`. */
export const CredentialsFile = z.strictObject({
  credentials: z.array(
    z.strictObject({
      principal: z.string().min(1, "a principal must not be empty"),
      secret: z.string().min(1, "a secret must not be empty"),
    }),
  ),
});
export type CredentialsFile = z.infer<typeof CredentialsFile>;

/** Equal-length digests, so comparing a guess takes the same time whatever it shares with the secret. */
const digest = (s: string) => createHash("sha256").update(s).digest();

/** Principals and their secrets, checked in constant time. */
export class Credentials {
  private readonly secrets = new Map<string, Buffer>();

  constructor(file: CredentialsFile) {
    for (const { principal, secret } of file.credentials) this.secrets.set(principal, digest(secret));
  }

  get size(): number {
    return this.secrets.size;
  }

  has(principal: string): boolean {
    return this.secrets.has(principal);
  }

  /** Whether `secret` is `principal`'s; an unknown principal costs as much as a wrong secret. */
  check(principal: string, secret: string): boolean {
    const want = this.secrets.get(principal) ?? digest(`\0unknown\0${principal}`);
    return timingSafeEqual(want, digest(secret)) && this.secrets.has(principal);
  }

  /** The principal whose secret `token` is (a bearer token is a principal's secret), if any. */
  principalOfToken(token: string): string | undefined {
    const given = digest(token);
    let found: string | undefined;
    for (const [principal, secret] of this.secrets) if (timingSafeEqual(secret, given)) found = principal;
    return found;
  }
}

/**
 * Parses a credentials file's text: Mesos' JSON, or its older text form (one `principal secret` pair per
 * line, `#` comments). `source` names the file in errors.
 */
export function parseCredentials(text: string, source: string): Credentials {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return new Credentials({ credentials: parseLines(trimmed, source) });
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (e) {
    throw configError(source, `not JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = CredentialsFile.safeParse(json);
  if (!parsed.success) {
    const { message, field } = firstIssue(parsed.error);
    throw configError(source, message, { field });
  }
  return new Credentials(parsed.data);
}

function parseLines(text: string, source: string): CredentialsFile["credentials"] {
  const out: CredentialsFile["credentials"] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [principal, secret, ...rest] = line.split(/\s+/);
    if (!principal || !secret || rest.length > 0)
      throw configError(source, "expected `principal secret`", { field: `line ${i + 1}` });
    out.push({ principal, secret });
  });
  return out;
}
