import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAgentError } from "./errors.js";
import { systemUserLookup, type UserAccount } from "./executors/task-user.js";
import { directoriesOf, type ModeFacts, mayRead } from "./fetch-permission.js";
import { Fetcher } from "./fetcher.js";
import { type FileServer, startFileServer } from "./test-support/file-server.js";

const alice = { uid: 1000, gid: 1000 };
const facts = (mode: number, uid = 0, gid = 0): ModeFacts => ({ mode, uid, gid });
const open = facts(0o755);

describe("who may read a local file (pure)", () => {
  it("reads the owner's bits for the owner, the group's for the group, the others' for the rest", () => {
    expect(mayRead([open], facts(0o600, 1000), alice)).toBe(true);
    expect(mayRead([open], facts(0o600), alice)).toBe(false);
    expect(mayRead([open], facts(0o640, 0, 1000), alice)).toBe(true);
    expect(mayRead([open], facts(0o604), alice)).toBe(true);
    expect(mayRead([open], facts(0o640), alice)).toBe(false);
  });

  it("gives the owner only the owner's bits, as the kernel does", () => {
    expect(mayRead([open], facts(0o044, 1000, 1000), alice)).toBe(false);
    expect(mayRead([open], facts(0o404, 0, 1000), alice)).toBe(false);
  });

  it("needs every directory on the way searchable", () => {
    expect(mayRead([open, facts(0o700)], facts(0o644), alice)).toBe(false);
    expect(mayRead([open, facts(0o750, 0, 1000)], facts(0o644), alice)).toBe(true);
    expect(mayRead([open, facts(0o744)], facts(0o644), alice)).toBe(false);
    expect(mayRead([open, facts(0o711)], facts(0o644), alice)).toBe(true);
  });

  it("lets root read anything", () => {
    expect(mayRead([facts(0o000)], facts(0o000, 1000, 1000), { uid: 0, gid: 0 })).toBe(true);
  });

  it("counts the primary gid only: a supplementary group is not asked about", () => {
    // alice may be in group 27 through /etc/group; a task of hers is not (spawn drops those groups).
    expect(mayRead([open], facts(0o640, 0, 27), alice)).toBe(false);
  });

  it("lists the directories a real path goes through", () => {
    expect(directoriesOf("/a/b/f")).toEqual(["/", "/a", "/a/b"]);
    expect(directoriesOf("/f")).toEqual(["/"]);
  });
});

const isRoot = process.getuid?.() === 0;
const nobody = isRoot ? await systemUserLookup("nobody") : undefined;

describe.skipIf(!nobody)(
  "fetching local files as the task's user (needs root and the nobody account)",
  () => {
    const reader = nobody as UserAccount;
    let root: string;
    let sandbox: string;
    let files: string;
    let server: FileServer;

    beforeEach(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), "agora-fetch-permission-"));
      // mkdtemp makes a 0700 directory: the files below must be reachable by nobody unless a case says not.
      await chmod(root, 0o755);
      sandbox = path.join(root, "sandbox");
      files = path.join(root, "files");
      await mkdir(sandbox);
      await mkdir(files, { mode: 0o755 });
      await writeFile(path.join(files, "secret.txt"), "root only\n", { mode: 0o600 });
      await writeFile(path.join(files, "public.txt"), "anyone\n", { mode: 0o644 });
      server = await startFileServer({ "/files/hello.txt": "hello\n" });
    });

    afterEach(async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    });

    async function refusal(promise: Promise<unknown>): Promise<string> {
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      if (!err) throw new Error("expected the fetch to be refused");
      expect(isAgentError(err, "FETCH_FAILED")).toBe(true);
      return err.message;
    }

    const refusedFor = (uri: string, real: string) =>
      `Failed to fetch '${uri}': user 'nobody' may not read ${real} (a task's local files are fetched with its user's rights)`;

    it("refuses a root-only file and copies a world-readable one", async () => {
      const secret = path.join(files, "secret.txt");
      const fetcher = new Fetcher();
      expect(await refusal(fetcher.fetchAll([{ value: secret }], sandbox, undefined, reader))).toBe(
        refusedFor(secret, secret),
      );
      const uri = pathToFileURL(secret).href;
      expect(await refusal(fetcher.fetchAll([{ value: uri }], sandbox, undefined, reader))).toBe(
        refusedFor(uri, secret),
      );
      expect(await readdir(sandbox)).toEqual([]);

      await fetcher.fetchAll([{ value: path.join(files, "public.txt") }], sandbox, undefined, reader);
      expect(await readFile(path.join(sandbox, "public.txt"), "utf8")).toBe("anyone\n");
    });

    it("copies the root-only file for a task run as the agent's user (no reader)", async () => {
      await new Fetcher().fetchAll([{ value: path.join(files, "secret.txt") }], sandbox);
      expect(await readFile(path.join(sandbox, "secret.txt"), "utf8")).toBe("root only\n");
    });

    it("lets the user read its own 0600 file", async () => {
      const own = path.join(files, "own.txt");
      await writeFile(own, "mine\n", { mode: 0o600 });
      await chown(own, reader.uid, reader.gid);
      await new Fetcher().fetchAll([{ value: own }], sandbox, undefined, reader);
      expect(await readFile(path.join(sandbox, "own.txt"), "utf8")).toBe("mine\n");
    });

    it("refuses a readable file in a directory the user may not search", async () => {
      const hidden = path.join(root, "hidden");
      await mkdir(hidden, { mode: 0o700 });
      const file = path.join(hidden, "public.txt");
      await writeFile(file, "behind a closed door\n", { mode: 0o644 });
      expect(await refusal(new Fetcher().fetchAll([{ value: file }], sandbox, undefined, reader))).toBe(
        refusedFor(file, file),
      );
    });

    it("checks where a link leads, not the link", async () => {
      const link = path.join(files, "innocent.txt");
      await symlink(path.join(files, "secret.txt"), link);
      expect(await refusal(new Fetcher().fetchAll([{ value: link }], sandbox, undefined, reader))).toBe(
        refusedFor(link, path.join(files, "secret.txt")),
      );
    });

    it("does not serve a file cached for root to a user who may not read it", async () => {
      const fetcher = new Fetcher({ cacheDir: path.join(root, "cache") });
      const secret = { value: path.join(files, "secret.txt"), cache: true };
      await fetcher.fetchAll([secret], sandbox);
      expect(await readFile(path.join(sandbox, "secret.txt"), "utf8")).toBe("root only\n");

      const other = path.join(root, "other");
      await mkdir(other);
      expect(await refusal(fetcher.fetchAll([secret], other, undefined, reader))).toBe(
        refusedFor(secret.value, secret.value),
      );
      expect(await readdir(other)).toEqual([]);

      // Both fetches at once: the one that may read shares the fill, the other is still refused.
      const publicUri = { value: path.join(files, "public.txt"), cache: true };
      const [asRoot, asNobody] = await Promise.allSettled([
        fetcher.fetchAll([publicUri, secret], path.join(root, "sandbox"), undefined),
        fetcher.fetchAll([publicUri, secret], other, undefined, reader),
      ]);
      expect(asRoot.status).toBe("fulfilled");
      expect(asNobody.status).toBe("rejected");
      expect(await readdir(other)).toEqual(["public.txt"]);
    });

    it("leaves http URIs alone", async () => {
      await new Fetcher().fetchAll([{ value: `${server.url}/files/hello.txt` }], sandbox, undefined, reader);
      expect(await readFile(path.join(sandbox, "hello.txt"), "utf8")).toBe("hello\n");
    });
  },
);
