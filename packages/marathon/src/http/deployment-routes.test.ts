import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppDefinition } from "../model/app-definition.js";
import { findApp } from "../model/group-ops.js";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("/v2/deployments and /v2/queue", () => {
  let service: MemoryMarathon;
  let http: FastifyInstance;
  const now = Date.parse("2026-11-22T10:00:00.000Z");
  beforeEach(() => {
    service = new MemoryMarathon();
    http = createMarathonHttp(service, { now: () => new Date(now) });
  });
  afterEach(async () => {
    await http.close();
  });

  it("lists running deployments in Marathon's shape", async () => {
    await http.inject({ method: "POST", url: "/v2/apps", payload: { id: "web", cmd: "x", instances: 2 } });
    const res = await http.inject({ method: "GET", url: "/v2/deployments" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: "deployment-1",
        version: "2026-11-22T10:00:00.000Z",
        affectedApps: ["/web"],
        affectedPods: [],
        steps: [{ actions: [{ action: "ScaleApplication", app: "/web" }] }],
        currentActions: [{ action: "ScaleApplication", app: "/web", readinessCheckResults: [] }],
        currentStep: 1,
        totalSteps: 1,
      },
    ]);
  });

  it("rolls a deployment back with DELETE, or only stops it with force=true (202)", async () => {
    await http.inject({ method: "POST", url: "/v2/apps", payload: { id: "web", cmd: "x" } });
    const rollback = await http.inject({ method: "DELETE", url: "/v2/deployments/deployment-1" });
    expect(rollback.statusCode).toBe(200);
    expect(rollback.json().deploymentId).toBe("deployment-2");
    expect(rollback.headers["marathon-deployment-id"]).toBe("deployment-2");
    expect(findApp(service.root(), "/web")).toBeUndefined();

    await http.inject({ method: "POST", url: "/v2/apps", payload: { id: "db", cmd: "x" } });
    const id = service.running.at(-1)!.plan.id;
    const stop = await http.inject({ method: "DELETE", url: `/v2/deployments/${id}?force=true` });
    expect(stop.statusCode).toBe(202);
    expect(service.running.some((d) => d.plan.id === id)).toBe(false);
    expect(findApp(service.root(), "/db")).toBeDefined();
    const none = await http.inject({ method: "DELETE", url: "/v2/deployments/nope" });
    expect(none.statusCode).toBe(404);
  });

  it("shows the launch queue with delays and resets an app's delay (204; 404 when not queued)", async () => {
    const app = AppDefinition.parse({ id: "/web", cmd: "x", instances: 5 });
    service.queued = [
      {
        app,
        count: 2,
        delayUntil: now + 4500,
        since: "2026-11-22T09:59:00.000Z",
        role: "*",
        processedOffersSummary: {
          processedOffersCount: 3,
          unusedOffersCount: 3,
          rejectSummaryLastOffers: [{ reason: "UnfulfilledConstraint", declined: 3, processed: 3 }],
        },
      },
    ];
    const res = await http.inject({ method: "GET", url: "/v2/queue" });
    expect(res.json().queue[0]).toMatchObject({
      count: 2,
      delay: { timeLeftSeconds: 5, overdue: false },
      since: "2026-11-22T09:59:00.000Z",
      role: "*",
      app: { id: "/web", instances: 5 },
      processedOffersSummary: { rejectSummaryLastOffers: [{ reason: "UnfulfilledConstraint", declined: 3 }] },
    });
    const reset = await http.inject({ method: "DELETE", url: "/v2/queue/web/delay" });
    expect(reset.statusCode).toBe(204);
    expect((await http.inject({ method: "GET", url: "/v2/queue" })).json().queue[0].delay).toEqual({
      timeLeftSeconds: 0,
      overdue: true,
    });
    expect((await http.inject({ method: "DELETE", url: "/v2/queue/other/delay" })).statusCode).toBe(404);
  });
});
