import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAgentError } from "./errors.js";
import { archiveKindOf, type CommandUri, Fetcher, planFetch } from "./fetcher.js";
import { isInside } from "./fetcher-archive.js";
import { type FileServer, startFileServer } from "./test-support/file-server.js";

/** Archives are built with GNU tar and gzip (always on Debian); zip cases need Info-ZIP's zip and unzip. */
const hasZip = ["zip", "unzip"].every((tool) =>
  (process.env.PATH ?? "").split(":").some((dir) => existsSync(path.join(dir, tool))),
);

let root: string;
let sandbox: string;
let outside: string;
let server: FileServer;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "agora-fetcher-"));
  sandbox = path.join(root, "sandboxes", "fw", "task");
  outside = path.join(root, "outside");
  await mkdir(sandbox, { recursive: true });
  await mkdir(outside);
  server = await startFileServer({ "/files/hello.txt": "hello\n" });
});

afterEach(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** Builds a file tree under `root/name` and returns its directory. */
async function tree(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

function tar(args: string[]): void {
  execFileSync("tar", args, { stdio: "ignore" });
}

async function fetchInto(uris: CommandUri[], fetcher = new Fetcher()): Promise<string[]> {
  await fetcher.fetchAll(uris, sandbox);
  return (await readdir(sandbox)).sort();
}

function isLink(p: string): Promise<boolean> {
  return lstat(p).then(
    (s) => s.isSymbolicLink(),
    () => false,
  );
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!err) throw new Error("expected the fetch to fail");
  expect(isAgentError(err, "FETCH_FAILED")).toBe(true);
  return err;
}

describe("planning a fetch (pure)", () => {
  it("names each file after the URI's last path segment and reads Mesos' defaults", () => {
    const [http, file, plain, exe] = planFetch([
      { value: "http://h/a/b/app.tar.gz?x=1" },
      { value: "file:///opt/x/tool%20kit.zip", extract: false },
      { value: "/opt/x/data.gz" },
      { value: "https://h/bin/run.tgz", executable: true, cache: true },
    ]);
    expect(http).toMatchObject({ name: "app.tar.gz", archive: "tar", executable: false, cache: false });
    expect(http!.source.kind).toBe("http");
    expect(file).toMatchObject({
      name: "tool kit.zip",
      archive: undefined,
      source: { path: "/opt/x/tool kit.zip" },
    });
    expect(plain).toMatchObject({ name: "data.gz", archive: "gzip", source: { kind: "file" } });
    // Executable wins over extract, as in Mesos.
    expect(exe).toMatchObject({ name: "run.tgz", archive: undefined, executable: true, cache: true });
  });

  it.each([
    ["app.tar", "tar"],
    ["app.TAR.GZ", "tar"],
    ["app.tgz", "tar"],
    ["app.tar.bz2", "tar"],
    ["app.tbz2", "tar"],
    ["app.tar.xz", "tar"],
    ["app.txz", "tar"],
    ["app.zip", "zip"],
    ["data.gz", "gzip"],
    [".gz", undefined],
    ["app.jar", undefined],
    ["README", undefined],
  ])("archiveKindOf(%s) is %s", (name, kind) => {
    expect(archiveKindOf(name)).toBe(kind);
  });

  it.each([
    ["../../x", "not an absolute path or a URL (relative paths are not supported)"],
    ["x", "not an absolute path or a URL (relative paths are not supported)"],
    ["ftp://h/x", "unsupported scheme 'ftp' (http, https, file or a path)"],
    ["http://h/dir/", 'its last path segment "" is not a file name'],
    ["http://h/a/..%2F..%2Fx", 'its last path segment "../../x" is not a file name'],
    ["http://h/..", 'its last path segment "" is not a file name'],
  ])("refuses %s, naming it", (value, detail) => {
    let err: Error | undefined;
    try {
      planFetch([{ value }]);
    } catch (e) {
      err = e as Error;
    }
    expect(isAgentError(err, "FETCH_FAILED")).toBe(true);
    expect(err!.message).toBe(`Failed to fetch '${value}': ${detail}`);
  });

  it("isInside", () => {
    expect(isInside("/s", "/s")).toBe(true);
    expect(isInside("/s", "/s/a/b")).toBe(true);
    expect(isInside("/s", "/s/..a")).toBe(true);
    expect(isInside("/s", "/")).toBe(false);
    expect(isInside("/s", "/sx")).toBe(false);
    expect(isInside("/s", "/t/s")).toBe(false);
  });
});

describe("fetching into a sandbox", () => {
  it("downloads an http URI into a file named after its last path segment", async () => {
    expect(await fetchInto([{ value: `${server.url}/files/hello.txt?v=2` }])).toEqual(["hello.txt"]);
    expect(await readFile(path.join(sandbox, "hello.txt"), "utf8")).toBe("hello\n");
  });

  it("copies file:// URIs and plain absolute paths", async () => {
    const dir = await tree("src", { "a.txt": "A", "b c.txt": "B" });
    const names = await fetchInto([
      { value: pathToFileURL(path.join(dir, "b c.txt")).href },
      { value: path.join(dir, "a.txt") },
    ]);
    expect(names).toEqual(["a.txt", "b c.txt"]);
    expect(await readFile(path.join(sandbox, "b c.txt"), "utf8")).toBe("B");
  });

  it("extracts a .tar.gz into the sandbox, keeping the archive (as Mesos)", async () => {
    const dir = await tree("app", { "bin/run.sh": "#!/bin/sh\necho run\n", "conf/app.conf": "x=1\n" });
    execFileSync("chmod", ["755", path.join(dir, "bin/run.sh")]);
    tar(["-czf", path.join(root, "app.tar.gz"), "-C", dir, "bin", "conf"]);
    server.route("/app.tar.gz", await readFile(path.join(root, "app.tar.gz")));
    expect(await fetchInto([{ value: `${server.url}/app.tar.gz` }])).toEqual(["app.tar.gz", "bin", "conf"]);
    expect(await readFile(path.join(sandbox, "conf/app.conf"), "utf8")).toBe("x=1\n");
    expect((await stat(path.join(sandbox, "bin/run.sh"))).mode & 0o777).toBe(0o755);
  });

  it("leaves an archive packed with extract: false", async () => {
    const dir = await tree("app", { "a.txt": "A" });
    tar(["-czf", path.join(root, "app.tgz"), "-C", dir, "a.txt"]);
    expect(await fetchInto([{ value: path.join(root, "app.tgz"), extract: false }])).toEqual(["app.tgz"]);
  });

  it.skipIf(!hasZip)("extracts a .zip (needs zip and unzip)", async () => {
    const dir = await tree("z", { "d/f.txt": "zipped\n" });
    execFileSync("zip", ["-q", "-r", path.join(root, "app.zip"), "d"], { cwd: dir });
    server.route("/app.zip", await readFile(path.join(root, "app.zip")));
    expect(await fetchInto([{ value: `${server.url}/app.zip` }])).toEqual(["app.zip", "d"]);
    expect(await readFile(path.join(sandbox, "d/f.txt"), "utf8")).toBe("zipped\n");
  });

  it("gunzips a lone .gz into the file without .gz (as Mesos' gunzip)", async () => {
    server.route("/data.csv.gz", gzipSync("a,b\n1,2\n"));
    expect(await fetchInto([{ value: `${server.url}/data.csv.gz` }])).toEqual(["data.csv"]);
    expect(await readFile(path.join(sandbox, "data.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("makes an executable URI mode 0755 and does not extract it", async () => {
    server.route("/tool", "#!/bin/sh\necho tool\n");
    const dir = await tree("app", { "a.txt": "A" });
    tar(["-czf", path.join(root, "self.tgz"), "-C", dir, "a.txt"]);
    await fetchInto([{ value: `${server.url}/tool`, executable: true }]);
    expect((await stat(path.join(sandbox, "tool"))).mode & 0o777).toBe(0o755);
    expect(await fetchInto([{ value: path.join(root, "self.tgz"), executable: true }])).toEqual([
      "self.tgz",
      "tool",
    ]);
  });

  it("reuses the cache for cache: true, by URI, across sandboxes", async () => {
    const fetcher = new Fetcher({ cacheDir: path.join(root, "cache") });
    const uri = { value: `${server.url}/files/hello.txt`, cache: true };
    await fetchInto([uri], fetcher);
    const second = path.join(root, "sandboxes", "fw", "task-2");
    await mkdir(second);
    await fetcher.fetchAll([uri], second);
    expect(await readFile(path.join(second, "hello.txt"), "utf8")).toBe("hello\n");
    expect(server.hits.get("/files/hello.txt")).toBe(1);
    // Without cache: true, every fetch downloads.
    await fetcher.fetchAll([{ value: uri.value }], second);
    expect(server.hits.get("/files/hello.txt")).toBe(2);
  });
});

describe("failed fetches name the URI", () => {
  it("HTTP 404", async () => {
    const uri = `${server.url}/missing.tar.gz`;
    const err = await failureOf(fetchInto([{ value: uri }]));
    expect(err.message).toBe(`Failed to fetch '${uri}': HTTP 404 Not Found`);
    expect(await readdir(sandbox)).toEqual([]);
  });

  it("a refused connection", async () => {
    const closed = await startFileServer();
    await closed.close();
    const err = await failureOf(fetchInto([{ value: `${closed.url}/x` }]));
    expect(err.message).toMatch(
      new RegExp(`^Failed to fetch '${closed.url}/x': fetch failed: .*ECONNREFUSED`),
    );
  });

  it("a missing or unreadable file", async () => {
    const missing = path.join(root, "nope.txt");
    expect((await failureOf(fetchInto([{ value: missing }]))).message).toMatch(
      `Failed to fetch '${missing}': ENOENT`,
    );
    expect((await failureOf(fetchInto([{ value: root }]))).message).toBe(
      `Failed to fetch '${root}': ${root} is not a regular file`,
    );
  });

  it("a bad archive", async () => {
    server.route("/broken.tar.gz", "this is not gzip");
    const err = await failureOf(fetchInto([{ value: `${server.url}/broken.tar.gz` }]));
    expect(err.message).toMatch(/^Failed to fetch '.*broken\.tar\.gz': tar exited with status 2: /);
  });

  it("a file over the size limit (declared or streamed)", async () => {
    server.route("/big", Buffer.alloc(4096));
    server.route("/chunked", (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(3000));
      res.end(Buffer.alloc(3000));
    });
    const fetcher = new Fetcher({ maxBytes: 1024 });
    expect((await failureOf(fetchInto([{ value: `${server.url}/big` }], fetcher))).message).toMatch(
      /it is 4096 bytes, more than the limit of 1024$/,
    );
    expect((await failureOf(fetchInto([{ value: `${server.url}/chunked` }], fetcher))).message).toMatch(
      /more than the limit of 1024 bytes$/,
    );
    expect(await readdir(sandbox)).toEqual([]);
  });

  it("an archive that unpacks to more than the size limit, before anything is unpacked", async () => {
    const dir = await tree("zeros", { "zeros.bin": "\0".repeat(8192) });
    tar(["-czf", path.join(root, "zeros.tgz"), "-C", dir, "zeros.bin"]);
    const uri = path.join(root, "zeros.tgz");
    const err = await failureOf(fetchInto([{ value: uri }], new Fetcher({ maxBytes: 4096 })));
    expect(err.message).toBe(
      `Failed to fetch '${uri}': it unpacks to 8192 bytes, more than the limit of 4096`,
    );
    expect(await readdir(sandbox)).toEqual(["zeros.tgz"]);
  });

  it("an archive holding a device file", async () => {
    tar(["-cf", path.join(root, "dev.tar"), "-C", "/", "dev/null"]);
    const err = await failureOf(fetchInto([{ value: path.join(root, "dev.tar") }]));
    expect(err.message).toMatch(/: the archive holds a device file: dev\/null$/);
    expect(existsSync(path.join(sandbox, "dev"))).toBe(false);
  });

  it("a download that stalls, or takes too long, is aborted", async () => {
    server.route("/stall", (_req, res) => {
      res.writeHead(200);
      res.write("a bit");
    });
    server.route("/trickle", (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("."), 20);
      res.on("close", () => clearInterval(timer));
    });
    const stalled = new Fetcher({ stallTimeoutMs: 200 });
    expect((await failureOf(fetchInto([{ value: `${server.url}/stall` }], stalled))).message).toMatch(
      /: no data for 0.2 s \(stalled\)$/,
    );
    const slow = new Fetcher({ timeoutMs: 300, stallTimeoutMs: 200 });
    expect((await failureOf(fetchInto([{ value: `${server.url}/trickle` }], slow))).message).toMatch(
      /: timed out after 0.3 s$/,
    );
    expect(await readdir(sandbox)).toEqual([]);
  });

  it("an abort from the agent (a kill)", async () => {
    server.route("/stall", (_req, res) => res.writeHead(200).write("x"));
    const abort = new AbortController();
    const fetching = new Fetcher().fetchAll([{ value: `${server.url}/stall` }], sandbox, abort.signal);
    setTimeout(() => abort.abort(), 50);
    expect((await failureOf(fetching)).message).toMatch(/: aborted$/);
  });
});

describe("nothing is written outside the sandbox", () => {
  it("refuses an archive member with ../", async () => {
    const dir = await tree("evil", { "f.txt": "escaped" });
    tar(["-czf", path.join(root, "evil.tgz"), "-P", "-C", dir, "--transform", "s,^,../../../,", "f.txt"]);
    expect(execFileSync("tar", ["-tzf", path.join(root, "evil.tgz")], { encoding: "utf8" })).toBe(
      "../../../f.txt\n",
    );
    const err = await failureOf(fetchInto([{ value: path.join(root, "evil.tgz") }]));
    expect(err.message).toMatch(/Member name contains '\.\.'/);
    expect(existsSync(path.join(root, "sandboxes", "f.txt"))).toBe(false);
    expect(existsSync(path.join(root, "f.txt"))).toBe(false);
  });

  it("refuses an archive whose link points outside, and writes nothing through it", async () => {
    // `link -> <outside>` then `link/pwned`: the classic two-member escape.
    const a = path.join(root, "a");
    await mkdir(a);
    await symlink(outside, path.join(a, "link"));
    const b = await tree("b", { "link/pwned": "pwned" });
    const archive = path.join(root, "evil.tar");
    tar(["-cf", archive, "-C", a, "link"]);
    tar(["-rf", archive, "-C", b, "link/pwned"]);
    const err = await failureOf(fetchInto([{ value: archive }]));
    expect(err.message).toMatch(/tar exited with status 2|a link leading outside the sandbox/);
    expect(await readdir(outside)).toEqual([]);
    expect(await isLink(path.join(sandbox, "link"))).toBe(false);
  });

  it("removes a lone link leading outside, so a later archive cannot write through it", async () => {
    const a = path.join(root, "a");
    await mkdir(a);
    await symlink(outside, path.join(a, "link"));
    await symlink("inner/file", path.join(a, "dangling-inside"));
    const first = path.join(root, "first.tar");
    tar(["-cf", first, "-C", a, "link", "dangling-inside"]);
    const b = await tree("b", { "link/pwned": "pwned" });
    const second = path.join(root, "second.tar");
    tar(["-cf", second, "-C", b, "link/pwned"]);
    const err = await failureOf(fetchInto([{ value: first }, { value: second }]));
    expect(err.message).toBe(
      `Failed to fetch '${first}': the archive holds a link leading outside the sandbox (removed): link -> ${outside}`,
    );
    expect(await isLink(path.join(sandbox, "link"))).toBe(false);
    expect(await isLink(path.join(sandbox, "dangling-inside"))).toBe(true);
    expect(await readdir(outside)).toEqual([]);
  });

  it("replaces a link named like the fetched file rather than writing through it", async () => {
    await symlink(path.join(outside, "hello.txt"), path.join(sandbox, "hello.txt"));
    await fetchInto([{ value: `${server.url}/files/hello.txt` }]);
    expect(await readdir(outside)).toEqual([]);
    expect((await stat(path.join(sandbox, "hello.txt"))).isFile()).toBe(true);
  });

  it.skipIf(!hasZip)("unzip drops ../ from member names (needs zip and unzip)", async () => {
    const dir = await tree("zz/inner", { "f.txt": "z" });
    execFileSync("zip", ["-q", path.join(root, "evil.zip"), "../inner/f.txt"], {
      cwd: path.join(dir, "..", "inner"),
    });
    expect(execFileSync("unzip", ["-Z1", path.join(root, "evil.zip")], { encoding: "utf8" })).toBe(
      "../inner/f.txt\n",
    );
    await fetchInto([{ value: path.join(root, "evil.zip") }]).catch(() => undefined);
    expect(existsSync(path.join(root, "sandboxes", "fw", "inner"))).toBe(false);
    expect(existsSync(path.join(sandbox, "inner", "f.txt"))).toBe(true);
  });
});
