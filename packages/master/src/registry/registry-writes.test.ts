import { MemoryStateStore } from "@agora/transport";
import { describe, expect, it, vi } from "vitest";
import type { MasterContext } from "../context.js";
import { isMasterError } from "../errors.js";
import { persist, persistLater } from "../persistence.js";
import { registryKeys } from "./records.js";
import { records } from "./recovery.js";

/** What the registry's writes and reads touch of the master: its store and its logger. */
function context() {
  const store = new MemoryStateStore();
  const logger = { error: vi.fn(), warn: vi.fn() };
  return { ctx: { store, options: { logger } } as unknown as MasterContext, store, logger };
}

describe("registry writes", () => {
  it("write what recovery reads back through the same schema", async () => {
    const { ctx } = context();
    await persist(ctx, registryKeys.weight("eng/web"), { role: "eng/web", weight: 2 });
    expect(await records(ctx, "weights.")).toEqual([{ role: "eng/web", weight: 2 }]);
  });

  it("take only the record type of the key", async () => {
    const { ctx } = context();
    // @ts-expect-error a quota is not a weight
    await expect(persist(ctx, registryKeys.weight("eng"), { role: "eng", guarantee: [] })).rejects.toThrow();
  });

  it("refuse a record that would not read back, naming its key, and write nothing", async () => {
    const { ctx, store } = context();
    // TypeScript lets a wider object through a variable; the strict schema would skip it on recovery.
    const weight = { role: "eng", weight: 2, note: "set by hand" };
    const key = registryKeys.weight("eng");
    const failure = await persist(ctx, key, weight).catch((e: unknown) => e);
    expect(isMasterError(failure) && failure.code).toBe("INTERNAL");
    expect((failure as Error).message).toContain(key);
    expect((failure as Error).message).toMatch(/note/);
    expect(await store.list("weights.")).toEqual([]);
  });

  it("log, and do not write, a record nobody waits for that would not read back", async () => {
    const { ctx, store, logger } = context();
    const deadline = { deadline: Number.NaN };
    persistLater(ctx, registryKeys.failover("fw-1"), deadline);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ key: registryKeys.failover("fw-1") }),
      "registry record does not match its schema",
    );
    expect(await store.list("failovers.")).toEqual([]);
  });
});
