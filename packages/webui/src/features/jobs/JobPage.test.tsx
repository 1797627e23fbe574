import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idleMasterState, mockFetch, renderAt } from "../../test-utils";
import { JobPage } from "./JobPage";

afterEach(() => vi.unstubAllGlobals());

const run = { id: "r1", createdAt: "2026-12-03T07:00:00.000Z", tasks: [] };

describe("a job's page", () => {
  it("reads the job's details again as soon as a run ends, not at the next poll of the jobs", async () => {
    // Chronos as it answers while the run is active, then once it has succeeded.
    let ended = false;
    mockFetch({
      "/service/chronos/v1/scheduler/jobs": () => ({
        status: 200,
        body: [{ name: "nightly", command: "true", successCount: ended ? 1 : 0, errorCount: 0 }],
      }),
      "/service/chronos/v1/scheduler/jobs/summary": () => ({
        status: 200,
        body: {
          jobs: [
            { name: "nightly", status: ended ? "success" : "fresh", state: ended ? "idle" : "1 running" },
          ],
        },
      }),
      "/service/chronos/v1/jobs/nightly": () => ({
        status: 200,
        body: ended
          ? {
              id: "nightly",
              activeRuns: [],
              history: { successfulFinishedRuns: [{ ...run, finishedAt: "2026-12-03T07:00:01.000Z" }] },
            }
          : { id: "nightly", activeRuns: [{ ...run, status: "ACTIVE" }] },
      }),
      "/master/state": idleMasterState,
    });
    const { client } = renderAt(<JobPage />, { path: "/jobs/nightly", pattern: "/jobs/:name" });
    await screen.findByText(/1 running/);
    await screen.findByRole("cell", { name: "ACTIVE" });

    ended = true;
    // The runs' own poll (every 2 s) sees the run end; the jobs' poll is 3 s away, longer than
    // findBy waits (1 s): only the page's reaction to the ended run can update the details in time.
    await client.refetchQueries({ queryKey: ["service", "chronos", "job", "nightly"] });
    await screen.findByRole("cell", { name: "SUCCESS" });
    expect(await screen.findByText(/idle \(last: success\)/)).toBeTruthy();
    expect(screen.getByText("1 / 0")).toBeTruthy();
  });
});
