import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChronosHttpHarness } from "../test-support/http.js";

/** Bad job JSON gets a 400 naming the field, and nothing is stored; nothing a client sends is a 500. */
describe("bad input to the Chronos 3 API", () => {
  let h: ChronosHttpHarness;
  beforeEach(async () => {
    h = new ChronosHttpHarness();
    await h.scheduled("parent");
  });
  afterEach(() => h.close());

  const iso = (extra: Record<string, unknown>) => ({
    name: "job",
    command: "x",
    schedule: "R/2026-01-01T00:00:00Z/PT1H",
    ...extra,
  });

  async function refused(url: string, body: unknown) {
    const res = await h.inject("POST", url, body);
    expect(res.statusCode, res.body).toBe(400);
    expect((await h.inject("GET", "/v1/scheduler/jobs")).json().map((j: { name: string }) => j.name)).toEqual(
      ["parent"],
    );
    return res.json() as { message: string; details: { path: string; errors: string[] }[] };
  }

  it("refuses a name with spaces, naming /name", async () => {
    const body = await refused("/v1/scheduler/iso8601", iso({ name: "my job" }));
    expect(body.details).toEqual([{ path: "/name", errors: [expect.stringContaining("[\\w.-]+")] }]);
    expect(body.message).toContain("/name");
  });

  it("refuses a missing or mistyped name", async () => {
    expect((await refused("/v1/scheduler/iso8601", iso({ name: undefined }))).details[0]!.path).toBe("/name");
    expect((await refused("/v1/scheduler/iso8601", iso({ name: 7 }))).details[0]!.path).toBe("/name");
  });

  it("refuses a schedule that does not parse, naming /schedule (INVALID_SCHEDULE from the service)", async () => {
    const body = await refused("/v1/scheduler/iso8601", iso({ schedule: "every day" }));
    expect(body.details[0]!.path).toBe("/schedule");
  });

  it("refuses an unknown time zone, naming /scheduleTimeZone", async () => {
    const body = await refused("/v1/scheduler/iso8601", iso({ scheduleTimeZone: "Mars/Olympus" }));
    expect(body.details[0]!.path).toBe("/scheduleTimeZone");
  });

  it("refuses an unknown parent, naming /parents/<i>", async () => {
    const body = await refused("/v1/scheduler/dependency", { name: "job", parents: ["parent", "ghost"] });
    expect(body.details).toEqual([{ path: "/parents/1", errors: ["no job is named ghost"] }]);
  });

  it("refuses a self-parent and a cycle", async () => {
    await refused("/v1/scheduler/dependency", { name: "job", parents: ["job"] });
    await h.dependent("child", ["parent"]);
    const res = await h.inject("POST", "/v1/scheduler/dependency", { name: "parent", parents: ["child"] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].path).toBe("/parents");
    expect((await h.inject("GET", "/v1/scheduler/job/parent")).json().schedule).toBeDefined();
  });

  it("refuses both a schedule and parents, naming /parents", async () => {
    const body = await refused("/v1/scheduler/iso8601", iso({ parents: ["parent"] }));
    expect(body.details).toEqual([
      { path: "/parents", errors: ["a job has a schedule or parents, not both"] },
    ]);
    await refused("/v1/scheduler/dependency", iso({ parents: ["parent"] }));
  });

  it("refuses a scheduled job without a schedule, and a dependent job without parents or with none", async () => {
    expect((await refused("/v1/scheduler/iso8601", { name: "job", command: "x" })).details[0]!.path).toBe(
      "/schedule",
    );
    expect((await refused("/v1/scheduler/dependency", { name: "job", command: "x" })).details[0]!.path).toBe(
      "/parents",
    );
    expect(
      (await refused("/v1/scheduler/dependency", { name: "job", command: "x", parents: [] })).details[0]!
        .path,
    ).toBe("/parents");
  });

  it("refuses wrong types, naming each field", async () => {
    const body = await refused(
      "/v1/scheduler/iso8601",
      iso({
        retries: "3",
        cpus: -1,
        shell: "yes",
        environmentVariables: [{ name: "A" }],
        constraints: [["a", "NEAR", "b"]],
      }),
    );
    expect(body.details.map((d) => d.path).sort()).toEqual([
      "/constraints/0/1",
      "/cpus",
      "/environmentVariables/0/value",
      "/retries",
      "/shell",
    ]);
  });

  it("refuses both fetch and uris", async () => {
    const body = await refused(
      "/v1/scheduler/iso8601",
      iso({ fetch: [{ uri: "http://a" }], uris: ["http://b"] }),
    );
    expect(body.details[0]!.path).toBe("/uris");
  });

  it("refuses a body that is not JSON with 400 INVALID_JSON", async () => {
    const res = await h.inject("POST", "/v1/scheduler/iso8601", "{ not json");
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^Invalid JSON/);
  });

  it("refuses bodies that are not an object: none, an array, a string, null", async () => {
    for (const body of [undefined, [], '"job"', "null"]) {
      const res = await h.inject("POST", "/v1/scheduler/iso8601", body);
      expect(res.statusCode, String(body)).toBe(400);
      expect(res.json().details[0].path).toBe("/");
    }
  });

  it("refuses an unknown statistic with 400", async () => {
    const res = await h.inject("GET", "/v1/scheduler/stats/70thPercentile");
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("99thPercentile");
  });

  it("never answers 500 to odd bodies", async () => {
    const odd: unknown[] = [
      { name: "a", schedule: 5 },
      { name: "a", schedule: "R/2026-01-01T00:00:00Z/PT1H", container: {} },
      { name: "a", schedule: "R/2026-01-01T00:00:00Z/PT1H", container: { image: "x", volumes: [{}] } },
      { name: "a", parents: "parent" },
      { name: "a", parents: [null] },
      { name: "", schedule: "R//PT1H" },
      { name: "a".repeat(10_000), schedule: "R//P" },
      { name: "a", schedule: "R/2026-01-01T00:00:00Z/PT1H", fetch: [{}], labels: { a: 1 } },
      "123",
      "true",
    ];
    for (const body of odd)
      for (const url of ["/v1/scheduler/iso8601", "/v1/scheduler/dependency"]) {
        const res = await h.inject("POST", url, body);
        expect(
          res.statusCode,
          `${url} ${JSON.stringify(body).slice(0, 80)}: ${res.body}`,
        ).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }
  });
});
