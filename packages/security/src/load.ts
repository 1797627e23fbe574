import { readFile } from "node:fs/promises";
import { firstIssue } from "@agora/protocol";
import { Acls } from "./acls.js";
import { Authorizer } from "./authorizer.js";
import { type Credentials, parseCredentials } from "./credentials.js";
import { configError } from "./errors.js";

/** Reads a credentials file (`--credentials`, `--http-credentials`); Mesos' `file://` prefix is accepted. */
export async function loadCredentials(file: string): Promise<Credentials> {
  const path = file.replace(/^file:\/\//, "");
  return parseCredentials(await read(path), path);
}

/** Reads `--acls`: inline JSON (as Mesos takes it) or a file path (optionally `file://…`). */
export async function loadAuthorizer(spec: string): Promise<Authorizer> {
  const inline = spec.trim().startsWith("{");
  const source = inline ? "--acls" : spec.replace(/^file:\/\//, "");
  return parseAcls(inline ? spec : await read(source), source);
}

/** Parses Mesos' ACL JSON; an unknown action or a malformed rule is refused naming it. */
export function parseAcls(text: string, source: string): Authorizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw configError(source, `not JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = Acls.safeParse(json);
  if (!parsed.success) {
    const { message, field } = firstIssue(parsed.error);
    throw configError(source, message, { field });
  }
  return new Authorizer(parsed.data);
}

async function read(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw configError(path, `cannot be read: ${(e as Error).message}`, { cause: e });
  }
}
