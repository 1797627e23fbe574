import { ManualClock } from "@agora/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { app, placedOn } from "../test-support/fixtures.js";
import { ReadinessChecks } from "./readiness.js";

const withCheck = app("/web", {
  portDefinitions: [{ port: 0, name: "http-api" }],
  readinessChecks: [{ path: "/ready", intervalSeconds: 5, httpStatusCodesForReady: [200] }],
});

describe("ReadinessChecks", () => {
  it("polls a running instance's named port until it answers a ready status, then reports it ready", async () => {
    const clock = new ManualClock();
    const answers = [503, undefined, 200];
    const urls: string[] = [];
    let readyCalls = 0;
    const checks = new ReadinessChecks({
      clock,
      logger: pino({ level: "silent" }),
      onReady: () => readyCalls++,
      probe: async (url) => {
        urls.push(url);
        return answers.shift();
      },
    });
    const instance = { ...placedOn("/web", "node-a"), ports: [31005] };
    checks.watch(withCheck, [instance, { ...placedOn("/web", "node-b", {}, 1), state: "TASK_STAGING" }]);
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(urls).toEqual(["http://node-a:31005/ready"]);
    expect(checks.readyOf("/web").size).toBe(0);
    clock.advance(5000);
    await settle();
    clock.advance(5000);
    await settle();
    expect(urls).toHaveLength(3);
    expect([...checks.readyOf("/web")]).toEqual([instance.taskId]);
    expect(checks.resultsOf("/web")).toEqual([
      { name: "readinessCheck", taskId: instance.taskId, ready: true, lastResponse: { status: 200 } },
    ]);
    expect(readyCalls).toBe(1);
    // Ready once is ready: no more polling.
    clock.advance(60_000);
    await settle();
    expect(urls).toHaveLength(3);
  });

  it("forgets instances that are gone and apps no deployment starts, and ignores apps without a readiness check", async () => {
    const checks = new ReadinessChecks({
      clock: new ManualClock(),
      logger: pino({ level: "silent" }),
      onReady: () => {},
      probe: async () => 200,
    });
    const instance = { ...placedOn("/web", "node-a"), ports: [31005] };
    checks.watch(withCheck, [instance]);
    await new Promise((r) => setImmediate(r));
    expect(checks.readyOf("/web").size).toBe(1);
    checks.watch(withCheck, []);
    expect(checks.readyOf("/web").size).toBe(0);
    checks.watch(withCheck, [instance]);
    await new Promise((r) => setImmediate(r));
    checks.retainOnly(new Set(["/other"]));
    expect(checks.resultsOf("/web")).toEqual([]);
    checks.watch(app("/plain"), [placedOn("/plain", "node-a")]);
    expect(checks.readyOf("/plain").size).toBe(0);
  });
});
