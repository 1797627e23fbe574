import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { JsonEditor } from "../../components/JsonEditor";
import { parseJsonObject } from "../../components/json-errors";
import { ErrorState, Loading } from "../../components/States";
import { routes } from "../../routes";
import { editableApp } from "./AppPage";
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
  return (
    <div className="page">
      <h1>{editing ? `Edit ${appId}` : "Create an app"}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if ("value" in parsed) save.mutate(parsed.value);
        }}
      >
        <JsonEditor
          id="app-json"
          label="App definition (Marathon JSON)"
          value={current}
          onChange={setText}
          errors={errors}
        />
        {save.error && errors.size === 0 && <ErrorState error={save.error} />}
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
