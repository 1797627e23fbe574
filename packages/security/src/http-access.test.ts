import { describe, expect, it } from "vitest";
import { httpAccess, isEventStream, operatorCallAccess } from "./http-access.js";

describe("httpAccess: Mesos' read-only and read-write realms", () => {
  it.each([
    ["GET", "/master/state", "readonly"],
    ["HEAD", "/metrics", "readonly"],
    ["PUT", "/weights", "readwrite"],
    ["POST", "/teardown", "readwrite"],
    ["DELETE", "/v2/apps/web", "readwrite"],
    ["POST", "/api/v1", "operator"],
    ["POST", "/api/v1/operator", "operator"],
    ["GET", "/health", "open"],
    ["GET", "/master/health", "open"],
    ["GET", "/ping", "open"],
    ["GET", "/version", "open"],
    ["POST", "/login", "open"],
    ["GET", "/ui/assets/index.js", "open"],
    ["GET", "/", "open"],
    ["POST", "/api/v1/executor", "open"],
    ["POST", "/api/v1/scheduler", "open"],
    ["OPTIONS", "/weights", "open"],
  ])("%s %s is %s", (method, path, access) => {
    expect(httpAccess(method, path)).toBe(access);
  });

  it("reads an operator call's realm from its type", () => {
    expect(operatorCallAccess({ type: "GET_STATE" })).toBe("readonly");
    expect(operatorCallAccess({ type: "UPDATE_WEIGHTS" })).toBe("readwrite");
    expect(operatorCallAccess(undefined)).toBe("readwrite");
    expect(operatorCallAccess({ type: 7 })).toBe("readwrite");
  });

  it("knows the event streams that may carry ?access_token=", () => {
    for (const p of ["/master/events", "/v2/events", "/v1/events", "/service/marathon/v2/events"])
      expect(isEventStream("GET", p), p).toBe(true);
    for (const p of ["/master/state", "/v2/apps", "/service/x/v2/apps", "/service/a/b/v2/events"])
      expect(isEventStream("GET", p), p).toBe(false);
    expect(isEventStream("POST", "/master/events")).toBe(false);
  });
});
