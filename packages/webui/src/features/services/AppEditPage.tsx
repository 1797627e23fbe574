import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { ErrorState, Loading } from "../../components/States";
import { routes } from "../../routes";
import { testIds } from "../../testids";
import { editableApp } from "./AppPage";
import { lineOfPath, parseJsonObject } from "./json-errors";
import { appPath, fieldErrors, MARATHON, useApp } from "./marathon";

const TEMPLATE = {
  id: "/hello",
  cmd: "while true; do echo hello; sleep 5; done",
  cpus: 0.1,
  mem: 32,
  instances: 1,
};

/** Create (`/services/new`) or edit (`/services/:appId/edit`) an app as Marathon JSON. */
export function AppEditPage() {
  const { appId: raw } = useParams();
  const editing = raw !== undefined;
  const appId = `/${raw ?? ""}`;
  const existing = useApp(appId, editing);
  const [text, setText] = useState<string | undefined>(
    editing ? undefined : JSON.stringify(TEMPLATE, null, 2),
  );
  const navigate = useNavigate();
  const client = useQueryClient();

  useEffect(() => {
    if (editing && text === undefined && existing.data)
      setText(JSON.stringify(editableApp(existing.data.app), null, 2));
  }, [editing, existing.data, text]);

  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      if (editing) await sendJson("PUT", `${MARATHON}/v2/apps/${appPath(appId)}`, body);
      else await sendJson("POST", `${MARATHON}/v2/apps`, body);
      return typeof body.id === "string" ? body.id : appId;
    },
    onSuccess: async (id) => {
      await client.invalidateQueries({ queryKey: keys.marathon });
      navigate(routes.service(id));
    },
  });

  if (editing && text === undefined)
    return existing.error ? <ErrorState error={existing.error} /> : <Loading what="the app" />;
  const current = text ?? "";
  const parsed = parseJsonObject(current);
  const errors =
    save.error instanceof ApiError && save.error.status === 422
      ? fieldErrors(save.error.body)
      : new Map<string, string[]>();
  const lines = current.split("\n").length;
  const errorLines = new Map<number, string>();
  for (const [path, messages] of errors) {
    const line = lineOfPath(current, path);
    if (line !== undefined) errorLines.set(line, `${path}: ${messages.join("; ")}`);
  }
  return (
    <div className="page">
      <h1>{editing ? `Edit ${appId}` : "Create an app"}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if ("value" in parsed) save.mutate(parsed.value);
        }}
      >
        <label htmlFor="app-json">App definition (Marathon JSON)</label>
        <div className="editor">
          <div className="editor-gutter" aria-hidden="true">
            {Array.from({ length: lines }, (_, i) => (
              <div
                // biome-ignore lint/suspicious/noArrayIndexKey: a line number is the line's identity
                key={i}
                className={errorLines.has(i + 1) ? "gutter-error" : undefined}
                title={errorLines.get(i + 1)}
              >
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            id="app-json"
            data-testid={testIds.appEditor}
            className="code editor-text"
            rows={Math.max(12, lines + 1)}
            spellCheck={false}
            value={current}
            aria-invalid={errors.size > 0 || "error" in parsed}
            aria-describedby="app-json-errors"
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <div id="app-json-errors" aria-live="polite">
          {"error" in parsed && <p className="field-error">{parsed.error}</p>}
          {errors.size > 0 && (
            <ul className="field-errors" data-testid={testIds.fieldError}>
              {[...errors].map(([path, messages]) => {
                const line = lineOfPath(current, path);
                return (
                  <li key={path} className="field-error">
                    <code>{path}</code>
                    {line ? ` (line ${line})` : ""}: {messages.join("; ")}
                  </li>
                );
              })}
            </ul>
          )}
          {save.error && errors.size === 0 && <ErrorState error={save.error} />}
        </div>
        <div className="toolbar">
          <button type="submit" className="primary" disabled={save.isPending || "error" in parsed}>
            {editing ? "Save changes" : "Create"}
          </button>
          <Link to={editing ? routes.service(appId) : routes.services()}>Cancel</Link>
        </div>
      </form>
    </div>
  );
}
