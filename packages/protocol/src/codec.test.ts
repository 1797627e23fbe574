import { describe, expect, it } from "vitest";
import { Call } from "./calls.js";
import { decode, encode } from "./codec.js";

describe("decode", () => {
  it("rejects non-JSON without throwing", () => {
    const r = decode(Call, new TextEncoder().encode("{not json"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("INVALID_MESSAGE");
  });

  it("names the first offending field", () => {
    const r = decode(Call, encode({ type: "decline", frameworkId: "f1", offerIds: [] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe("offerIds");
  });

  it("applies schema defaults on the way in", () => {
    const r = decode(Call, encode({ type: "subscribe", frameworkInfo: { name: "fw" } }));
    expect(r.ok && r.value.type === "subscribe" && r.value.frameworkInfo.roles).toEqual(["*"]);
  });

  it("refuses a task id that would escape its sandbox directory", () => {
    const task = {
      taskId: "..",
      name: "t",
      agentId: "a1",
      resources: [{ name: "cpus", scalar: 1 }],
      command: { value: "true" },
    };
    const r = decode(
      Call,
      encode({
        type: "accept",
        frameworkId: "f1",
        offerIds: ["o1"],
        operations: [{ type: "launch", tasks: [task] }],
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe("operations.0.tasks.0.taskId");
  });
});
