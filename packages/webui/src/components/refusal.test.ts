import { describe, expect, it } from "vitest";
import { refusedAction } from "./refusal";

describe("a refused request in words", () => {
  it("names the dashboard's writes", () => {
    expect(refusedAction("PUT", "/weights")).toBe("change role weights");
    expect(refusedAction("POST", "/teardown")).toBe("tear down frameworks");
    expect(refusedAction("PUT", "/service/marathon/v2/apps/web?force=true")).toBe("change apps");
    expect(refusedAction("POST", "/service/marathon/v2/apps/a/b/restart")).toBe("restart apps");
    expect(refusedAction("DELETE", "/service/chronos/v1/scheduler/task/kill/nightly")).toBe(
      "kill jobs' tasks",
    );
    expect(refusedAction("DELETE", "/service/chronos/v1/scheduler/job/nightly")).toBe("delete jobs");
  });

  it("falls back on the method and path", () => {
    expect(refusedAction("GET", "/master/state?x=1")).toBe("read /master/state");
    expect(refusedAction("PATCH", "/somewhere")).toBe("PATCH /somewhere");
  });
});
