import type { AddressInfo } from "node:net";
import { encode, type FrameworkId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, waitFor } from "../test-support/harness.js";
import { election, leaseStores } from "../test-support/lease.js";
import { buildMasterHttp } from "./app.js";

const subscribeBody = JSON.stringify({
  type: "SUBSCRIBE",
  subscribe: { framework_info: { user: "root", name: "edge-test", failover_timeout: 0 } },
});

describe("Mesos v1 APIs at the master's HTTP edge", () => {
  it("are redirected by a standby to the leader (307 with Location), as a Mesos standby does", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const standby = await h.standby({ election: election(stores, "m2") });
    await waitFor(() => standby.leader()?.id === "m1", "the standby to know the leader");
    const app = buildMasterHttp(standby);
    onTestFinished(() => app.close());
    for (const url of ["/api/v1/scheduler", "/api/v1", "/api/v1/operator"]) {
      const res = await app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        payload: subscribeBody,
      });
      expect(res.statusCode, url).toBe(307);
      expect(res.headers.location, url).toBe(`http://m1:5050${url}`);
    }
  });

  it("keeps an HTTP framework alive while its stream is open, and ends the stream when another master leads", async () => {
    const h = await MasterHarness.startForTest({ heartbeatIntervalSeconds: 1, frameworkTimeoutMs: 300 });
    const app = buildMasterHttp(h.master);
    onTestFinished(() => app.close());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/scheduler`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: subscribeBody,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    const readAll = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString("utf8");
      }
    })();
    await waitFor(() => text.includes('"SUBSCRIBED"'), "SUBSCRIBED");
    const frameworkId = /"framework_id":\{"value":"([^"]+)"/.exec(text)![1]! as FrameworkId;
    const framework = h.master.snapshot().frameworks.get(frameworkId)!;

    // The edge's heartbeat calls refresh the framework's liveness on the master (a real-time interval).
    const seen = framework.lastSeenAt;
    h.clock.advance(10);
    await waitFor(() => framework.lastSeenAt > seen, "a keep-alive call", 2000);

    // A heartbeat of a newer epoch means another master leads: the stream ends so the framework re-subscribes.
    h.bus.publish(
      h.subjects.frameworkEvents(frameworkId),
      encode({ type: "heartbeat", epoch: h.master.epoch + 1 }),
    );
    await readAll;
    expect(text).not.toContain('"ERROR"');
  });

  it("disconnects an HTTP framework as soon as its client closes the stream; its failover timeout starts", async () => {
    const h = await MasterHarness.startForTest();
    const app = buildMasterHttp(h.master);
    onTestFinished(() => app.close());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/scheduler`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "SUBSCRIBE",
        subscribe: { framework_info: { user: "root", name: "closer", failover_timeout: 3600 } },
      }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const frameworkId = await waitForFramework(h, "closer");
    abort.abort();
    const framework = h.master.snapshot().frameworks.get(frameworkId)!;
    await waitFor(() => !framework.connected, "the framework to be disconnected");
    expect(framework.failoverDeadline).toBe(h.clock.now() + 3600 * 1000);
  });
});

async function waitForFramework(h: MasterHarness, name: string): Promise<FrameworkId> {
  let id: FrameworkId | undefined;
  await waitFor(() => {
    id = [...h.master.snapshot().frameworks.values()].find((f) => f.info.name === name && f.connected)?.id;
    return id !== undefined;
  }, `framework ${name}`);
  return id!;
}
