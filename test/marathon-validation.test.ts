import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MarathonCluster, marathonApi, startMarathonCluster } from "./harness/marathon.js";

interface ErrorJson {
  message: string;
  details?: { path: string; errors: string[] }[];
}

/** Bad app JSON through `agora marathon`'s REST API: Marathon's error shapes, and nothing stored. */
describe("marathon refuses bad app JSON", () => {
  let cluster: MarathonCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startMarathonCluster([{ hostname: "node-a" }]);
    url = cluster.marathon.url;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("an invalid app gets 422 with Marathon-style details naming each bad field; no app, version or deployment appears", async () => {
    const res = await marathonApi<ErrorJson>(url, "POST", "/v2/apps", {
      id: "/Bad_Id",
      cmd: "sleep 1",
      args: ["sleep", "1"],
      cpus: -1,
      instances: "three",
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe("Object is not valid");
    const paths = res.body.details!.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["/id", "/cpus", "/instances"]));
    for (const d of res.body.details!) expect(d.errors.length).toBeGreaterThan(0);

    expect((await marathonApi<{ apps: unknown[] }>(url, "GET", "/v2/apps")).body.apps).toEqual([]);
    expect((await marathonApi<unknown[]>(url, "GET", "/v2/deployments")).body).toEqual([]);
    expect((await marathonApi(url, "GET", "/v2/apps/Bad_Id")).status).toBeGreaterThanOrEqual(400);
  });

  it("a body that is not JSON gets 400 Invalid JSON, and a valid app afterwards is accepted", async () => {
    const res = await marathonApi<ErrorJson>(url, "POST", "/v2/apps", '{"id": "/web", "cmd": ');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Invalid JSON/);
    expect((await marathonApi<{ apps: unknown[] }>(url, "GET", "/v2/apps")).body.apps).toEqual([]);
    const ok = await marathonApi(url, "POST", "/v2/apps", {
      id: "/web",
      cmd: "sleep 300",
      cpus: 0.1,
      mem: 16,
    });
    expect(ok.status).toBe(201);
  });
});
