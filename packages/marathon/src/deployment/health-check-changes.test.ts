import { describe, expect, it } from "vitest";
import type { HealthCheckDefinition } from "../model/app-definition.js";
import { HealthCheckDefinition as Schema } from "../model/app-definition.js";
import { app, rootWith } from "../test-support/fixtures.js";
import { healthCheckChanges } from "./health-check-changes.js";

const http: HealthCheckDefinition = Schema.parse({ protocol: "HTTP", path: "/health" });
const tcp: HealthCheckDefinition = Schema.parse({ protocol: "TCP" });

describe("healthCheckChanges", () => {
  it("a new app's checks are added, a removed app's checks removed", () => {
    const changes = healthCheckChanges(
      rootWith([app("/old", { healthChecks: [tcp] })]),
      rootWith([app("/new", { healthChecks: [http] })]),
    );
    expect(changes).toEqual([
      { appId: "/new", healthCheck: http, added: true },
      { appId: "/old", healthCheck: tcp, added: false },
    ]);
  });

  it("a changed check is one removed and one added; unchanged checks and apps without checks say nothing", () => {
    const changes = healthCheckChanges(
      rootWith([app("/web", { healthChecks: [http, tcp] }), app("/plain")]),
      rootWith([
        app("/web", { healthChecks: [{ ...http, path: "/ready" }, tcp], instances: 3 }),
        app("/plain"),
      ]),
    );
    expect(changes).toEqual([
      { appId: "/web", healthCheck: http, added: false },
      { appId: "/web", healthCheck: { ...http, path: "/ready" }, added: true },
    ]);
    expect(
      healthCheckChanges(
        rootWith([app("/web", { healthChecks: [http] })]),
        rootWith([app("/web", { healthChecks: [http] })]),
      ),
    ).toEqual([]);
  });
});
