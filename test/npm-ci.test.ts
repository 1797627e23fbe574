import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

/**
 * What a new user does first: clone, `npm ci`. It must succeed from the lock file alone (every
 * platform's optional binaries listed, every tarball's URL recorded, so the npm cache suffices) and
 * change no tracked file. Committed state only: a clone sees what `git commit` recorded.
 */
describe("npm ci on a fresh clone", { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-clone-"));
  const clone = path.join(dir, "agora");

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("installs from the lock file (cache first) and leaves git status clean", async () => {
    await run("git", ["clone", "--quiet", root, clone]);
    // --prefer-offline: the tarballs come from the npm cache that the workspace's own install
    // filled; only a package missing there is fetched from the registry.
    await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: clone,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_loglevel: "error" },
    });
    const { stdout } = await run("git", ["status", "--porcelain"], { cwd: clone });
    expect(stdout).toBe("");
    // Installed means usable: the workspace links and a platform binary (biome's) are in place.
    const cli = JSON.parse(
      readFileSync(path.join(clone, "node_modules/@agora/cli/package.json"), "utf8"),
    ) as { name: string };
    expect(cli.name).toBe("@agora/cli");
    const biome = await run(path.join(clone, "node_modules/.bin/biome"), ["--version"], { cwd: clone });
    expect(biome.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
