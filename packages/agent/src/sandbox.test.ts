import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ExecutorId, FrameworkId, TaskId } from "@agora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sandboxes } from "./sandbox.js";

const fw = "fw-1" as FrameworkId;
const task = (id: string) => id as TaskId;

describe("Sandboxes", () => {
  let workDir: string;
  let sandboxes: Sandboxes;
  const spares = () => readdirSync(path.join(sandboxes.root, ".spare")).sort();

  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), "agora-sandboxes-"));
    sandboxes = new Sandboxes(workDir);
  });
  afterEach(async () => {
    await sandboxes.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("makes a sandbox and its parents when no ready one is left, and makes ready ones afterwards", async () => {
    const dir = sandboxes.pathOf(fw, task("t1"));
    sandboxes.make(dir);
    expect(readdirSync(dir)).toEqual([]);
    await sandboxes.refill();
    expect(spares()).toHaveLength(4);
    for (const spare of spares()) {
      expect(readdirSync(path.join(sandboxes.root, ".spare", spare)).sort()).toEqual(["stderr", "stdout"]);
    }
  });

  it("renames a ready sandbox into place, with its empty stdout and stderr, making the framework's directory", async () => {
    await sandboxes.refill();
    const before = spares();
    const dir = sandboxes.pathOf("fw-2" as FrameworkId, task("t1"));
    sandboxes.make(dir);
    expect(readdirSync(dir).sort()).toEqual(["stderr", "stdout"]);
    expect(readFileSync(path.join(dir, "stdout"), "utf8")).toBe("");
    // One of the ready ones went, none was made in its place yet.
    expect(before.filter((s) => !spares().includes(s))).toHaveLength(1);
    expect(spares()).toHaveLength(3);
  });

  it("keeps an existing sandbox as it is (a task id used again) and the ready one for the next launch", async () => {
    const dir = sandboxes.pathOf(fw, task("again"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "stdout"), "first run\n");
    await sandboxes.refill();
    sandboxes.make(dir);
    expect(readFileSync(path.join(dir, "stdout"), "utf8")).toBe("first run\n");
    expect(readdirSync(dir)).toEqual(["stdout"]);
    expect(spares()).toHaveLength(4);
    sandboxes.make(sandboxes.pathOf(fw, task("next")));
    expect(spares()).toHaveLength(3);
  });

  it("never renames a ready sandbox over an existing one, even an empty one a process may work in", async () => {
    const dir = sandboxes.executorPathOf(fw, "executor-1" as ExecutorId);
    mkdirSync(dir, { recursive: true });
    const inode = statSync(dir).ino;
    await sandboxes.refill();
    sandboxes.make(dir);
    expect(statSync(dir).ino).toBe(inode);
    expect(readdirSync(dir)).toEqual([]);
    expect(spares()).toHaveLength(4);
  });

  it("takes a previous agent process's ready sandboxes instead of making more", async () => {
    await sandboxes.refill();
    const left = spares();
    await sandboxes.stop();
    sandboxes = new Sandboxes(workDir);
    await sandboxes.refill();
    expect(spares()).toEqual(left);
    const dir = sandboxes.pathOf(fw, task("t1"));
    sandboxes.make(dir);
    expect(readdirSync(dir).sort()).toEqual(["stderr", "stdout"]);
    expect(left).toEqual(expect.arrayContaining(spares()));
    expect(spares()).toHaveLength(3);
  });

  it("makes no ready sandbox once stopped", async () => {
    await sandboxes.stop();
    await sandboxes.refill();
    sandboxes.make(sandboxes.pathOf(fw, task("t1")));
    await sandboxes.refill();
    expect(() => statSync(path.join(sandboxes.root, ".spare"))).toThrow(/ENOENT/);
  });
});
