/**
 * `--acls`, Mesos' authorization flag, on every server role (`agora master|agent|marathon|chronos|dev`):
 * off by default, so dev mode stays open.
 */
import { type Authorizer, isSecurityError, loadAuthorizer } from "@agora/security";
import { z } from "zod";
import { CliError } from "./errors.js";
import type { FlagSpec } from "./options.js";

export const aclFlags: FlagSpec = {
  acls: {
    type: "string",
    description:
      'Mesos\' ACL JSON, inline or a file: {"permissive": true, "<action>": [{"principals": …, "<object>": …}]} (see docs/security.md)',
  },
};

/** The flag's value, for each role's options schema. */
export const aclOptions = { acls: z.string().min(1).optional() };

/** The authorizer `--acls` names, or undefined without it; a file that cannot be used is a usage error. */
export async function authorizerFrom(
  command: string,
  o: { acls?: string | undefined },
): Promise<Authorizer | undefined> {
  if (o.acls === undefined) return undefined;
  try {
    return await loadAuthorizer(o.acls);
  } catch (e) {
    if (isSecurityError(e)) throw new CliError("USAGE", `agora ${command}: ${e.message}`, { cause: e });
    throw e;
  }
}
