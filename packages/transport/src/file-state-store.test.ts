import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTransportError } from "./errors.js";
import { FileStateStore } from "./file-state-store.js";
import { describeStateStoreConformance, waitFor } from "./testing/index.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

describeStateStoreConformance(
  "FileStateStore",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "agora-file-store-"));
    let current = await FileStateStore.open(dir);
    return {
      store: current,
      reopen: async () => {
        await current.close();
        current = await FileStateStore.open(dir);
        return current;
      },
      teardown: async () => {
        await current.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("FileStateStore durability", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "agora-file-store-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("cuts a torn last log line and keeps everything before it", async () => {
    const store = await FileStateStore.open(dir);
    await store.put("agents.a", enc.encode("a"));
    const rev = await store.put("agents.b", enc.encode("b"));
    await store.close();
    await appendFile(join(dir, "log"), '0badc0de {"r":99,"k":"agents.c","v":"Yw');
    const reopened = await FileStateStore.open(dir);
    expect((await reopened.list("agents.")).map((e) => e.key)).toEqual(["agents.a", "agents.b"]);
    expect(await reopened.put("agents.c", enc.encode("c"))).toBe(rev + 1);
    await reopened.close();
    const again = await FileStateStore.open(dir);
    expect(dec.decode((await again.get("agents.c"))!.value)).toBe("c");
    await again.close();
  });

  it("refuses a second open of a directory in use", async () => {
    const store = await FileStateStore.open(dir);
    const err = await FileStateStore.open(dir).catch((e: unknown) => e);
    expect(isTransportError(err, "CONNECTION")).toBe(true);
    await store.close();
    await (await FileStateStore.open(dir)).close();
  });

  it("refuses to open over a snapshot that is JSON but not a snapshot, naming the file", async () => {
    const snapshot = join(dir, "snapshot.json");
    await writeFile(snapshot, JSON.stringify({ format: 1, revision: 3, entries: [{ r: "3", k: "a.b" }] }));
    const err = await FileStateStore.open(dir).catch((e: unknown) => e);
    expect(isTransportError(err, "STORE_CORRUPT")).toBe(true);
    expect((err as Error).message).toContain(snapshot);
    // The failed open let go of the directory.
    await rm(snapshot);
    await (await FileStateStore.open(dir)).close();
  });

  it("folds a long log into a snapshot and recovers from it", async () => {
    const store = await FileStateStore.open(dir);
    let last = 0;
    for (let round = 0; round < 50; round++) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          last = Math.max(last, await store.put(`k.${i}`, enc.encode(`${round}`)));
        }),
      );
    }
    await store.delete("k.0");
    await store.close();
    expect((await stat(join(dir, "snapshot.json"))).size).toBeGreaterThan(0);
    expect((await readFile(join(dir, "log"), "utf8")).split("\n").length).toBeLessThan(4096);
    const reopened = await FileStateStore.open(dir);
    const entries = await reopened.list("k.");
    expect(entries).toHaveLength(99);
    for (const e of entries) expect(dec.decode(e.value)).toBe("49");
    expect(await reopened.put("k.0", enc.encode("new"))).toBe(last + 2);
    await reopened.close();
  });

  it("survives kill -9 in the middle of writing: every acknowledged write is kept", async () => {
    // A child process writes numbered values as fast as it can and prints each acknowledged one.
    const source = resolve(dirname(fileURLToPath(import.meta.url)), "file-state-store.ts");
    const script = `
      import { FileStateStore } from ${JSON.stringify(source)};
      const store = await FileStateStore.open(${JSON.stringify(dir)});
      for (let i = 1; ; i++) {
        await Promise.all([
          store.put("counter", new TextEncoder().encode(String(i))),
          store.put("pad." + (i % 50), new Uint8Array(2048).fill(i % 256)),
        ]);
        process.stdout.write(i + "\\n");
      }
    `;
    const tsx = resolve(dirname(fileURLToPath(import.meta.url)), "../../../node_modules/.bin/tsx");
    // Its own process group: tsx runs the script in a grandchild, and the whole group must die.
    const child = spawn(tsx, ["--conditions=source", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    });
    const group = child.pid!;
    let acked = 0;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      const lines = s.trim().split("\n");
      acked = Math.max(acked, Number(lines[lines.length - 1]));
    });
    try {
      await waitFor(() => acked >= 300, "the child to acknowledge 300 writes", 30_000);
    } finally {
      process.kill(-group, "SIGKILL");
    }
    await waitFor(() => !groupAlive(group), "the killed writer to be gone");
    const store = await FileStateStore.open(dir);
    const counter = Number(dec.decode((await store.get("counter"))!.value));
    expect(counter).toBeGreaterThanOrEqual(acked);
    expect(await store.list("pad.")).toHaveLength(50);
    await store.put("after.crash", enc.encode("ok"));
    await store.close();
  });
});
