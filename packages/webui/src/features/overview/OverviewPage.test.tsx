import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idleMasterState, mockFetch, renderAt } from "../../test-utils";
import { OverviewPage } from "./OverviewPage";

afterEach(() => vi.unstubAllGlobals());

const scalars = (cpus: number, mem: number) => ({ cpus, mem, disk: 0, gpus: 0 });

describe("the overview", () => {
  it("shows total, allocated, offered and idle resources, agents and tasks by state", async () => {
    const calls = mockFetch({
      "/master/usage": {
        intervalMs: 10_000,
        samples: [],
        current: { t: 1, total: scalars(4, 4096), allocated: scalars(1, 1024), offered: scalars(2, 1024) },
      },
      "/master/state": {
        ...idleMasterState,
        cluster: "dev",
        start_time: Date.now() / 1000 - 90,
        leader_info: { hostname: "master.test", port: 5050 },
      },
      "/master/events/recent": { lastEventId: "x-0", events: [] },
    });
    renderAt(<OverviewPage />);
    const cpus = await screen.findByTestId("resource-cpus");
    expect(within(cpus).getByText("Idle").nextSibling?.textContent).toBe("1");
    const mem = screen.getByTestId("resource-mem");
    expect(within(mem).getByText("Total").nextSibling?.textContent).toBe("4 GB");
    expect(await screen.findByTestId("agents-active")).toHaveProperty("textContent", "1");
    expect(screen.getByText("master.test:5050")).toBeTruthy();
    expect(screen.getByText(/No changes yet/)).toBeTruthy();
    // The master leaves offers out before it counts the newest 20: churning offers cannot crowd out the rest.
    const recent = new URL(calls.find((c) => c.url.includes("/master/events/recent"))!.url, "http://ui");
    expect(recent.searchParams.get("kind")?.split(",").sort()).toEqual([
      "agent",
      "framework",
      "maintenance",
      "task",
    ]);
  });

  it("says what failed when the master does not answer", async () => {
    mockFetch({});
    renderAt(<OverviewPage />);
    const alerts = await screen.findAllByRole("alert");
    expect(alerts[0]!.textContent).toContain("Could not load this");
  });
});
