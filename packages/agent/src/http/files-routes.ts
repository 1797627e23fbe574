import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Authorization } from "@agora/security";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AgentView } from "../agent-view.js";
import { AgentError } from "../errors.js";
import { SPARE_DIR } from "../sandbox.js";
import { AccountNames } from "./account-names.js";
import { authorizeSandbox } from "./authorize.js";
import { modeString } from "./file-mode.js";
import { parseQuery } from "./query.js";
import { resolveSandboxPath } from "./sandbox-path.js";

/** Mesos caps one read at 16 pages. */
export const MAX_READ_LENGTH = 16 * 4096;

const BrowseQuery = z.object({ path: z.string().min(1, "path is required") });

const integer = (name: string) =>
  z
    .string()
    .regex(/^-?\d+$/, `${name} must be an integer`)
    .transform(Number)
    .optional();

const ReadQuery = z.object({
  path: z.string().min(1, "path is required"),
  offset: integer("offset").refine((n) => n === undefined || n >= -1, "offset must be -1 or more"),
  length: integer("length").refine((n) => n === undefined || n >= -1, "length must be -1 or more"),
});

/**
 * `/files/browse` and `/files/read`, Mesos-shaped, confined to the agent's sandboxes; with `--acls`,
 * only the sandboxes of users the request's principal may `access_sandboxes` of.
 */
export async function filesRoutes(
  app: FastifyInstance,
  { agent, authorization }: { agent: AgentView; authorization?: Authorization | undefined },
): Promise<void> {
  const accounts = new AccountNames();

  app.get("/files/browse", async (request) => {
    const query = parseQuery(BrowseQuery, request.query);
    const dir = await resolveSandboxPath(agent.sandboxRoot, query.path);
    await authorizeSandbox(agent, authorization, request.principal, query.path, dir);
    if (!(await stat(dir)).isDirectory()) {
      throw new AgentError("NOT_A_DIRECTORY", `path '${query.path}' is not a directory`, { field: "path" });
    }
    // The ready sandboxes are the agent's, no task's: not shown among the frameworks' directories.
    const atRoot = dir === (await realpath(agent.sandboxRoot));
    const names = (await readdir(dir)).filter((name) => !(atRoot && name === SPARE_DIR)).sort();
    const base = path.resolve(query.path);
    return Promise.all(
      names.map(async (name) => {
        const s = await lstat(path.join(dir, name));
        const { uid, gid } = await accounts.names(s.uid, s.gid);
        return {
          path: path.join(base, name),
          nlink: s.nlink,
          size: s.size,
          mtime: Math.floor(s.mtimeMs / 1000),
          mode: modeString(s),
          uid,
          gid,
        };
      }),
    );
  });

  app.get("/files/read", async (request) => {
    const query = parseQuery(ReadQuery, request.query);
    const file = await resolveSandboxPath(agent.sandboxRoot, query.path);
    await authorizeSandbox(agent, authorization, request.principal, query.path, file);
    const handle = await open(file, "r");
    try {
      const s = await handle.stat();
      if (!s.isFile())
        throw new AgentError("NOT_A_FILE", `path '${query.path}' is not a file`, { field: "path" });
      const offset = query.offset ?? -1;
      // As Mesos: without an offset the answer is the file's size, so a reader can tail from there.
      if (offset === -1 || offset >= s.size) return { data: "", offset: s.size };
      const wanted = query.length === undefined || query.length === -1 ? s.size - offset : query.length;
      const length = Math.min(wanted, MAX_READ_LENGTH, s.size - offset);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return { data: buffer.subarray(0, bytesRead).toString("utf8"), offset };
    } finally {
      await handle.close();
    }
  });
}
