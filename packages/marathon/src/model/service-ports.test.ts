import { describe, expect, it } from "vitest";
import { app } from "../test-support/fixtures.js";
import { assignServicePorts, inheritServicePorts, servicePortsInUse } from "./service-ports.js";

describe("service ports", () => {
  it("assigns the lowest free ports to port-0 definitions and container mappings", () => {
    const used = new Set([10000, 10002]);
    const [plain, docker] = assignServicePorts(
      [
        app("/a", { portDefinitions: [{ port: 0 }, { port: 0 }] }),
        app("/b", {
          cmd: undefined,
          container: { type: "DOCKER", docker: { image: "nginx" }, portMappings: [{ containerPort: 80 }] },
        }),
      ],
      used,
    );
    expect(plain!.portDefinitions.map((d) => d.port)).toEqual([10001, 10003]);
    expect(docker!.container!.portMappings![0]!.servicePort).toBe(10004);
    expect(servicePortsInUse([plain!, docker!])).toEqual(new Set([10001, 10003, 10004]));
  });

  it("leaves apps with requirePorts or without port-0 entries as they are (the same object)", () => {
    const fixed = app("/a", { portDefinitions: [{ port: 8080 }], requirePorts: true });
    const none = app("/b", { portDefinitions: [] });
    expect(assignServicePorts([fixed, none], new Set())).toEqual([fixed, none]);
    expect(assignServicePorts([fixed], new Set())[0]).toBe(fixed);
  });

  it("an update with port 0 keeps the port the app had at that index", () => {
    const before = app("/a", { portDefinitions: [{ port: 10005 }, { port: 10006 }] });
    const next = inheritServicePorts(
      before,
      app("/a", { portDefinitions: [{ port: 0 }, { port: 9000 }, { port: 0 }] }),
    );
    expect(next.portDefinitions.map((d) => d.port)).toEqual([10005, 9000, 0]);
  });
});
