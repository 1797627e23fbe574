import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idleMasterState, mockFetch, renderAt } from "../../test-utils";
import { FrameworkPage } from "./FrameworkPage";

afterEach(() => vi.unstubAllGlobals());

const none = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
const state = {
  ...idleMasterState,
  frameworks: [
    {
      id: "fw-1",
      name: "batch",
      active: true,
      connected: true,
      role: "*",
      registered_time: 1,
      used_resources: none,
      offered_resources: none,
      tasks: [],
    },
  ],
};

describe("tearing a framework down", () => {
  it("asks first, and then posts Mesos' form body frameworkId= to /teardown", async () => {
    const calls = mockFetch({
      "/master/state": state,
      "POST /teardown": () => ({ status: 200, body: {} }),
    });
    renderAt(<FrameworkPage />, { path: "/frameworks/fw-1", pattern: "/frameworks/:frameworkId" });
    fireEvent.click(await screen.findByRole("button", { name: "Tear down" }));
    const dialog = screen.getByRole("dialog", { hidden: true });
    expect(dialog.textContent).toContain("Tear down batch?");
    // Cancel sends nothing.
    fireEvent.click(screen.getByRole("button", { name: "Cancel", hidden: true }));
    expect(calls.some((c) => c.url === "/teardown")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Tear down" }));
    const confirm = screen.getAllByRole("button", { name: "Tear down", hidden: true }).at(-1)!;
    fireEvent.click(confirm);
    await waitFor(() => expect(calls.some((c) => c.url === "/teardown")).toBe(true));
    const post = calls.find((c) => c.url === "/teardown")!;
    expect(post.init?.method).toBe("POST");
    expect(new Headers(post.init?.headers).get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(String(post.init?.body)).toBe("frameworkId=fw-1");
  });
});
