import { forEachDiagnostic } from "@codemirror/lint";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { EditorView } from "@uiw/react-codemirror";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch, renderAt } from "../../test-utils";
import { AppEditPage } from "./AppEditPage";

afterEach(() => vi.unstubAllGlobals());

/** The CodeMirror view behind the labelled editor, once its lazy chunk has loaded. */
async function editorView(label: RegExp): Promise<EditorView> {
  const content = await screen.findByLabelText(label, {}, { timeout: 5000 });
  const view = EditorView.findFromDOM(content.closest(".cm-editor") as HTMLElement);
  if (!view) throw new Error("no CodeMirror view");
  return view;
}

/** Replaces the editor's text as typing would, the page's state updated before the next step. */
function type(view: EditorView, text: string) {
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }));
}

/** The diagnostics in the editor, as the text each one marks and its message. */
function diagnostics(view: EditorView): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  forEachDiagnostic(view.state, (d, from, to) => out.push([view.state.sliceDoc(from, to), d.message]));
  return out;
}

describe("creating an app", () => {
  it("puts Marathon's 422 field errors on the field's key in the editor and lists them with their line", async () => {
    const calls = mockFetch({
      "POST /service/marathon/v2/apps": () => ({
        status: 422,
        body: {
          message: "Object is not valid",
          details: [
            { path: "/mem", errors: ["must be at least 0"] },
            { path: "/healthChecks(0)/path", errors: ["must start with /"] },
          ],
        },
      }),
    });
    renderAt(<AppEditPage />, { path: "/services/new", pattern: "/services/new" });
    const view = await editorView(/App definition/);
    type(
      view,
      '{\n  "id": "/bad",\n  "cmd": "sleep 1",\n  "mem": -1,\n  "healthChecks": [{ "path": "x", "mem": 1 }]\n}',
    );
    fireEvent.click(screen.getByRole("button", { name: "Create" }));
    const error = await screen.findByTestId("field-error");
    expect(error.textContent).toContain("/mem (line 4): must be at least 0");
    expect(error.textContent).toContain("/healthChecks(0)/path (line 5): must start with /");
    await waitFor(() =>
      expect(diagnostics(view)).toEqual([
        ['"mem"', "must be at least 0"],
        ['"path"', "must start with /"],
      ]),
    );
    expect(JSON.parse(String(calls.find((c) => c.init?.method === "POST")!.init!.body))).toMatchObject({
      id: "/bad",
      mem: -1,
    });
  });

  it("marks a syntax error where it is and refuses to send the text", async () => {
    mockFetch({});
    renderAt(<AppEditPage />, { path: "/services/new", pattern: "/services/new" });
    const view = await editorView(/App definition/);
    type(view, '{\n  "id": "/a",\n  nope\n}');
    await waitFor(() => expect(diagnostics(view)).toHaveLength(1));
    expect(diagnostics(view)[0]![0]).toBe("nope");
    expect(screen.getByTestId("field-error").textContent).toContain("(line 3)");
    expect(screen.getByRole("button", { name: "Create" })).toHaveProperty("disabled", true);
  });
});
