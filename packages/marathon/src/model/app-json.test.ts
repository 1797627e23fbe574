import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import { appJson, parseApp, parseGroup, patchApp } from "./app-json.js";

const rich = {
  id: "/prod/web",
  cmd: "serve $PORT0",
  instances: 3,
  cpus: 0.5,
  mem: 256,
  env: { MODE: "prod" },
  labels: { tier: "front" },
  constraints: [
    ["hostname", "UNIQUE"],
    ["rack", "GROUP_BY", "3"],
    { fieldName: "zone", operator: "LIKE", value: "eu-.*" },
  ],
  portDefinitions: [
    { port: 0, name: "http" },
    { port: 0, name: "admin", protocol: "udp" },
  ],
  healthChecks: [{ protocol: "HTTP", path: "/health", portIndex: 0, gracePeriodSeconds: 5 }],
  upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2 },
  dependencies: ["../db"],
  uris: ["http://example.com/app.tgz"],
  container: {
    type: "DOCKER",
    docker: { image: "nginx:1", network: "HOST", parameters: [{ key: "a", value: "b" }] },
  },
};

describe("app JSON", () => {
  it("reads Marathon's JSON with relative ids and dependencies, and writes constraints back as arrays", () => {
    const app = parseApp({ ...rich, id: "web" }, "/prod");
    expect(app.id).toBe("/prod/web");
    expect(app.dependencies).toEqual(["/db"]);
    expect(app.fetch).toEqual([expect.objectContaining({ uri: "http://example.com/app.tgz" })]);
    const json = appJson(app);
    expect(json.constraints).toEqual([
      ["hostname", "UNIQUE"],
      ["rack", "GROUP_BY", "3"],
      ["zone", "LIKE", "eu-.*"],
    ]);
  });

  it("reads its own output back to the same app, so updates and rollbacks round-trip", () => {
    const app = parseApp(rich);
    expect(parseApp(JSON.parse(JSON.stringify(appJson(app))))).toEqual(app);
  });

  it("patches: given fields replace, others stay; deprecated ports replace portDefinitions", () => {
    const app = parseApp(rich);
    const patched = patchApp(app, { instances: 5, env: { MODE: "dev" }, ports: [0] });
    expect(patched).toMatchObject({ instances: 5, env: { MODE: "dev" }, mem: 256, id: "/prod/web" });
    expect(patched.portDefinitions).toEqual([{ port: 0, protocol: "tcp", labels: {} }]);
    expect(patched.constraints).toEqual(app.constraints);
  });

  it("refuses health checks on ports the app lacks and readiness checks on unknown port names", () => {
    const details = (raw: unknown) => {
      try {
        parseApp(raw);
        return [];
      } catch (e) {
        return (e as { details: { path: string }[] }).details.map((d) => d.path);
      }
    };
    expect(details({ id: "a", cmd: "x", portDefinitions: [], healthChecks: [{ protocol: "TCP" }] })).toEqual([
      "/healthChecks(0)",
    ]);
    expect(details({ id: "a", cmd: "x", healthChecks: [{ protocol: "HTTP", portIndex: 1 }] })).toEqual([
      "/healthChecks(0)",
    ]);
    expect(
      details({ id: "a", cmd: "x", portDefinitions: [], healthChecks: [{ protocol: "TCP", port: 80 }] }),
    ).toEqual([]);
    expect(
      details({
        id: "a",
        cmd: "x",
        portDefinitions: [],
        healthChecks: [{ protocol: "COMMAND", command: { value: "true" } }],
      }),
    ).toEqual([]);
    expect(details({ id: "a", cmd: "x", readinessChecks: [{ portName: "http" }] })).toEqual([
      "/readinessChecks(0)/portName",
    ]);
    expect(
      details({
        id: "a",
        cmd: "x",
        portDefinitions: [{ name: "http" }],
        readinessChecks: [{ portName: "http" }],
      }),
    ).toEqual([]);
  });

  it("collects every problem of a group body with its path", () => {
    let error: unknown;
    try {
      parseGroup(
        {
          apps: [
            { id: "a", cmd: "x", cpus: -1 },
            { id: "/other/b", cmd: "x" },
          ],
          groups: [{ id: "Bad" }],
        },
        "/g",
        "/",
      );
    } catch (e) {
      error = e;
    }
    expect(isMarathonError(error, "INVALID_DEFINITION")).toBe(true);
    const paths = (error as { details: { path: string }[] }).details.map((d) => d.path);
    expect(paths).toEqual(["/apps(0)/cpus", "/apps(1)/id", "/groups(0)/id"]);
  });
});
