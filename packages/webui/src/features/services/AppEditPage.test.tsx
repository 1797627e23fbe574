import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { lineOfPath } from "../../components/json-errors";
import { mockFetch, renderAt } from "../../test-utils";
import { AppEditPage } from "./AppEditPage";

afterEach(() => vi.unstubAllGlobals());

describe("creating an app", () => {
  it("shows Marathon's 422 field errors at the field's line", async () => {
    const calls = mockFetch({
      "POST /service/marathon/v2/apps": () => ({
        status: 422,
        body: { message: "Object is not valid", details: [{ path: "/mem", errors: ["must be at least 0"] }] },
      }),
    });
    renderAt(<AppEditPage />, { path: "/services/new", pattern: "/services/new" });
    const editor = screen.getByLabelText(/App definition/);
    fireEvent.change(editor, {
      target: { value: '{\n  "id": "/bad",\n  "cmd": "sleep 1",\n  "mem": -1\n}' },
    });
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toContain("/mem (line 4): must be at least 0");
    expect(editor.getAttribute("aria-invalid")).toBe("true");
    expect(JSON.parse(String(calls.find((c) => c.init?.method === "POST")!.init!.body))).toMatchObject({
      id: "/bad",
      mem: -1,
    });
  });

  it("refuses to send text that is not JSON", async () => {
    mockFetch({});
    renderAt(<AppEditPage />, { path: "/services/new", pattern: "/services/new" });
    fireEvent.change(screen.getByLabelText(/App definition/), { target: { value: "{ nope" } });
    await waitFor(() => expect(screen.getByText(/Not valid JSON/)).toBeTruthy());
    expect(screen.getByRole("button", { name: "Create" })).toHaveProperty("disabled", true);
  });
});

describe("lineOfPath", () => {
  it("finds nested fields after their parents", () => {
    const text = '{\n  "id": "/a",\n  "container": {\n    "docker": { "image": "x" }\n  },\n  "image": 1\n}';
    expect(lineOfPath(text, "/container/docker/image")).toBe(4);
    expect(lineOfPath(text, "/id")).toBe(2);
    expect(lineOfPath(text, "/")).toBeUndefined();
  });
});
