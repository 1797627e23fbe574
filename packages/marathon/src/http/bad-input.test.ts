import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

/** Whatever a client sends, the answer is Marathon's body with a status below 500. */
describe("bad input", () => {
  const service = new MemoryMarathon();
  const http = createMarathonHttp(service);
  beforeAll(async () => {
    await http.inject({
      method: "PUT",
      url: "/v2/groups/prod",
      payload: { apps: [{ id: "web", cmd: "x" }], groups: [{ id: "inner", apps: [{ id: "db", cmd: "y" }] }] },
    });
  });
  afterAll(async () => {
    await http.close();
  });

  const writes = [
    ["POST", "/v2/apps"],
    ["PUT", "/v2/apps"],
    ["PATCH", "/v2/apps"],
    ["PUT", "/v2/apps/prod/web"],
    ["PATCH", "/v2/apps/prod/web"],
    ["PUT", "/v2/apps/prod/new"],
    ["POST", "/v2/groups"],
    ["PUT", "/v2/groups/prod"],
    ["PUT", "/v2/groups"],
    ["POST", "/v2/groups/prod"],
    ["POST", "/v2/tasks/delete"],
  ] as const;

  it("never answers a write with a 5xx, whatever JSON its body holds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.oneof(
          fc.jsonValue(),
          fc.record({ id: fc.string(), cmd: fc.string(), instances: fc.jsonValue(), cpus: fc.jsonValue() }),
          fc.record({
            id: fc.constantFrom("web", "/prod/x", "../a", ""),
            apps: fc.jsonValue(),
            groups: fc.jsonValue(),
            scaleBy: fc.jsonValue(),
            version: fc.jsonValue(),
          }),
          fc.array(fc.record({ id: fc.string(), instances: fc.jsonValue() })),
        ),
        fc.constantFrom(
          "",
          "?force=true",
          "?force=maybe",
          "?partialUpdate=false",
          "?dryRun=true",
          "?scale=true&wipe=true",
        ),
        async ([method, url], body, query) => {
          const res = await http.inject({ method, url: `${url}${query}`, payload: JSON.stringify(body) });
          expect(
            res.statusCode,
            `${method} ${url}${query} ${JSON.stringify(body)}: ${res.body}`,
          ).toBeLessThan(500);
          expect(typeof res.json().message === "string" || res.statusCode < 300).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never answers a read or delete with a 5xx, whatever the path and query", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "DELETE"),
        fc.constantFrom("/v2/apps/", "/v2/groups/", "/v2/queue/", "/v2/deployments/", "/v2/tasks"),
        fc.oneof(
          fc.stringMatching(/^[a-zA-Z0-9%._\-/*:]{0,30}$/),
          fc.constantFrom("%25zz", "a/tasks/%25zz", "%25zz/delay", "a/versions/%25", "%2F%2F", "a%20b"),
        ),
        fc.constantFrom(
          "",
          "?embed=apps.tasks",
          "?label=a%20in%20(",
          "?label=a==b",
          "?status=x",
          "?host=h&scale=true",
        ),
        async (method, base, rest, query) => {
          const res = await http.inject({ method, url: `${base}${rest}${query}` });
          expect(res.statusCode, `${method} ${base}${rest}${query}: ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
