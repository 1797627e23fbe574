import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const isRoot = process.getuid?.() === 0;

/**
 * `npm test` brings up what the tests need from the host through its pretest step. A user who is
 * not root is never asked for a password and nothing is installed for them: the step stops at once
 * and names the one command to run. (As root the same step installs and starts what is missing;
 * CI runs that path, `.ci/run`.)
 */
describe("npm test's host check (pretest: scripts/setup-host.sh --for-tests)", () => {
  it("is npm test's pretest, and .ci/run runs npm ci then exactly npm test", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.pretest).toBe("bash scripts/setup-host.sh --for-tests");
    const ci = readFileSync(path.join(root, ".ci/run"), "utf8");
    const commands = ci
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#") && !/^(set|cd|export) /.test(l));
    expect(commands).toEqual(["npm ci --no-audit --no-fund", "npm test"]);
  });

  it.skipIf(!isRoot)("stops a user who is not root at once, naming the command to run", () => {
    // `nobody` can neither install packages nor use root's Docker socket, whatever this host has.
    const r = spawnSync("runuser", ["-u", "nobody", "--", "bash", "scripts/setup-host.sh", "--for-tests"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ {2}sudo (scripts\/setup-host\.sh --for-tests|usermod -aG docker nobody)/m);
    expect(r.stdout).not.toContain("installing");
  });
});
