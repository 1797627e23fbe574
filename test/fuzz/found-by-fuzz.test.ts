import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "../harness/mesos-dev.js";
import { httpJson } from "../harness/processes.js";
import { deeplyNested } from "./nasty.js";

/**
 * The 5xx the fuzz suites found, each replayed on its own against a real `agora dev` so that the fix
 * stays: every one is now a 4xx that says what was wrong.
 */
describe("requests the fuzz suite turned into 5xx", () => {
  let mesos: MesosDev;
  let agentUrl: string;
  let agentId: string;

  beforeAll(async () => {
    mesos = await startMesosDev("fuzz-found", { marathonPort: 0, chronosPort: 0 });
    agentUrl = mesos.dev.agents[0]!.url;
    const state = await httpJson<{ slaves: { id: string }[] }>(`${mesos.url}/master/state`);
    agentId = state.slaves[0]!.id;
  }, 120_000);

  afterAll(async () => {
    await mesos?.stop();
  }, 120_000);

  const post = (url: string, body: string) =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
    });

  it("refuses a Mesos v1 call nested thousands deep with a 400 naming the field (the stack overflowed)", async () => {
    const quota = JSON.stringify({
      type: "UPDATE_QUOTA",
      update_quota: { quota_configs: [{ role: "fuzz", limits: { a: deeplyNested(3_000) } }] },
    });
    const master = await post(`${mesos.url}/api/v1`, quota);
    expect(master.status).toBe(400);
    expect(await master.text()).toContain("update_quota.quota_configs[0].limits.a");

    const read = JSON.stringify({ type: "READ_FILE", read_file: deeplyNested(3_000) });
    const agent = await post(`${agentUrl}/api/v1`, read);
    expect(agent.status).toBe(400);
    expect(await agent.text()).toContain("read_file");
  });

  it("answers a malformed %-escape in a proxied URL with a 400 (reply-from threw a URIError)", async () => {
    for (const url of [
      `${mesos.url}/service/marathon/ping?path=%`,
      `${mesos.url}/service/marathon/v2/apps?embed=%zz`,
      `${mesos.url}/agents/${agentId}/files/read?path=%&offset=0`,
    ]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(400);
      expect(await res.json(), url).toEqual({ message: "the URL holds a malformed %-escape", field: "url" });
    }
    // A well-formed escape still goes through.
    expect((await fetch(`${mesos.url}/service/marathon/v2/apps?embed=apps.tasks%20`)).status).toBe(200);
  });

  it("refuses a call type Mesos' agent does not define with a 400 naming 'type' (was a 501)", async () => {
    const unknown = await post(`${agentUrl}/api/v1`, JSON.stringify({ type: "0 0 31 2 *" }));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe(
      "Failed to convert JSON into Call protobuf: type: unknown call type '0 0 31 2 *'",
    );
    // One Mesos defines and this agent lacks is still Mesos' 501.
    expect((await post(`${agentUrl}/api/v1`, JSON.stringify({ type: "PRUNE_IMAGES" }))).status).toBe(501);
  });

  it("answers HEAD /master/events with the stream's head and ends (it never answered)", async () => {
    const res = await fetch(`${mesos.url}/master/events`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  });

  it("sends a proxied event stream's head before its first event (a filter on it left no answer)", async () => {
    const controller = new AbortController();
    const res = await fetch(`${mesos.url}/service/marathon/v2/events?event_type=no_such_event`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    controller.abort();
  });

  it("names the field inside a reserved resource or a quota that fits neither accepted shape", async () => {
    const reserve = await fetch(`${mesos.url}/reserve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        agentId,
        resources: [
          {
            name: "cpus",
            type: "SCALAR",
            scalar: { value: 1 },
            reservations: [{ type: "DYNAMIC", role: 5 }],
          },
        ],
      }),
    });
    expect(reserve.status).toBe(400);
    expect(await reserve.json()).toEqual({
      message: "reserve: reservations.0.role: Invalid input: expected string, received number",
      field: "resources.0",
    });
    const quota = await fetch(`${mesos.url}/quota`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        role: "fuzz",
        guarantee: [{ name: "cpus", type: "SCALAR", scalar: { value: "1" } }],
      }),
    });
    expect(quota.status).toBe(400);
    expect(((await quota.json()) as { message: string }).message).toBe(
      "quota: scalar.value: Invalid input: expected number, received string",
    );
  });

  it("refuses an app id or a job name too long for the task ids they go into (accepted, then never launched)", async () => {
    const long = `fuzz-${"x".repeat(100_000)}`;
    const app = await post(
      `${mesos.dev.marathonUrl}/v2/apps`,
      JSON.stringify({ id: `/${long}`, cmd: "true", cpus: 0.01, mem: 8 }),
    );
    expect(app.status).toBe(422);
    expect(await app.json()).toMatchObject({
      details: [{ path: "/id", errors: ["an app id must be at most 200 characters (its task ids hold it)"] }],
    });
    const job = await post(
      `${mesos.dev.chronosUrl}/v1/scheduler/iso8601`,
      JSON.stringify({ name: long, command: "true", schedule: "R1/2030-01-01T00:00:00Z/PT1H" }),
    );
    expect(job.status).toBe(400);
    expect(await job.text()).toContain("must be at most 128 characters (it goes into task ids)");
  });
});
