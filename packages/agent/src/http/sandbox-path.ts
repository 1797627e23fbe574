import { realpath } from "node:fs/promises";
import path from "node:path";
import { AgentError } from "../errors.js";

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

async function realpathOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR")
      return undefined;
    throw e;
  }
}

/**
 * Resolves a path a `/files` request names to the real file inside the sandboxes root. The path
 * must be absolute (as `/state` reports `directory`) and must stay inside the root both as
 * written (`..` segments) and once every symlink is followed; otherwise PATH_FORBIDDEN (403).
 * A path that does not exist is FILE_NOT_FOUND (404), but only after its nearest existing
 * ancestor proved to be inside the root, so a symlink cannot be used to probe outside.
 */
export async function resolveSandboxPath(root: string, requested: string, field = "path"): Promise<string> {
  if (!path.isAbsolute(requested)) {
    throw new AgentError(
      "INVALID_REQUEST",
      `${field} must be an absolute path inside the agent's sandboxes`,
      { field },
    );
  }
  const forbidden = () =>
    new AgentError("PATH_FORBIDDEN", `${field} '${requested}' is outside the agent's sandboxes`, { field });
  const lexical = path.resolve(requested);
  if (!isInside(root, lexical)) throw forbidden();

  const realRoot = await realpathOrUndefined(root);
  if (realRoot === undefined)
    throw new AgentError("FILE_NOT_FOUND", `${field} '${requested}' does not exist`, { field });
  const real = await realpathOrUndefined(lexical);
  if (real !== undefined) {
    if (!isInside(realRoot, real)) throw forbidden();
    return real;
  }
  let ancestor = path.dirname(lexical);
  for (;;) {
    const realAncestor = await realpathOrUndefined(ancestor);
    if (realAncestor !== undefined) {
      if (!isInside(realRoot, realAncestor)) throw forbidden();
      break;
    }
    ancestor = path.dirname(ancestor);
  }
  throw new AgentError("FILE_NOT_FOUND", `${field} '${requested}' does not exist`, { field });
}
