import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { getJson, isApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { routes } from "../../routes";
import { App, appPath, MARATHON, useApp, useAppVersions, useMarathonInfo, useQueue } from "./marathon";
import { appStatus, HealthBar } from "./ServicesPage";

/** Fields Marathon adds to an app that a PUT must not send back. */
const READ_ONLY = [
  "version",
  "versionInfo",
  "tasks",
  "tasksRunning",
  "tasksStaged",
  "tasksHealthy",
  "tasksUnhealthy",
  "deployments",
  "lastTaskFailure",
  "readinessCheckResults",
  "taskStats",
];

export function editableApp(app: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(app).filter(([k]) => !READ_ONLY.includes(k)));
}

export function AppPage() {
  const { appId: raw = "" } = useParams();
  const appId = `/${raw}`;
  const app = useApp(appId);
  const info = useMarathonInfo();
  const queue = useQueue();
  const versions = useAppVersions(appId);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [instances, setInstances] = useState<string>("");
  const [tab, setTab] = useState<"tasks" | "config" | "versions" | "debug">("tasks");
  const refresh = () => client.invalidateQueries({ queryKey: keys.marathon });
  const act = useMutation({
    mutationFn: async (
      action:
        | { kind: "scale"; n: number }
        | { kind: "restart" }
        | { kind: "destroy" }
        | { kind: "resetDelay" }
        | { kind: "apply"; version: string },
    ) => {
      const base = `${MARATHON}/v2/apps/${appPath(appId)}`;
      switch (action.kind) {
        case "scale":
          return sendJson("PUT", `${base}?force=true`, { instances: action.n });
        case "restart":
          return sendJson("POST", `${base}/restart`);
        case "destroy":
          return sendJson("DELETE", base);
        case "resetDelay":
          return sendJson("DELETE", `${MARATHON}/v2/queue/${appPath(appId)}/delay`);
        case "apply": {
          const old = await getJson(`${base}/versions/${encodeURIComponent(action.version)}`, App);
          return sendJson("PUT", base, editableApp(old));
        }
      }
    },
    onSuccess: async (_r, action) => {
      await refresh();
      if (action.kind === "destroy") navigate(routes.services());
    },
  });
  if (app.error && isApiError(app.error, 404))
    return (
      <div className="page state">
        <h1>App {appId}</h1>
        <p>Marathon has no such app.</p>
        <Link to={routes.services()}>All services</Link>
      </div>
    );
  const frameworkId = info.data?.frameworkId;
  return (
    <div className="page">
      <QueryView query={app} what="the app">
        {({ app: a }) => {
          const queued = queue.data?.queue.find((q) => q.app.id === a.id);
          return (
            <>
              <div className="page-head">
                <h1>App {a.id}</h1>
                <Link className="button" to={`${routes.service(a.id)}/edit`}>
                  Edit
                </Link>
              </div>
              <section className="card" aria-labelledby="app-summary">
                <h2 id="app-summary" className="visually-hidden">
                  Summary
                </h2>
                <div className="app-summary">
                  <span>
                    <strong>{appStatus(a)}</strong>
                  </span>
                  <span data-testid="app-instances">
                    {a.tasksRunning} of {a.instances} running
                  </span>
                  <HealthBar app={a} />
                  <span>
                    {a.cpus} cpus, {a.mem} MB each
                  </span>
                </div>
                <form
                  className="toolbar"
                  onSubmit={(e) => {
                    e.preventDefault();
                    act.mutate({ kind: "scale", n: Number(instances || a.instances) });
                  }}
                >
                  <label>
                    Instances{" "}
                    <input
                      className="num-input"
                      type="number"
                      min="0"
                      name="instances"
                      value={instances === "" ? a.instances : instances}
                      onChange={(e) => setInstances(e.target.value)}
                    />
                  </label>
                  <button type="submit" disabled={act.isPending}>
                    Scale
                  </button>
                  <button
                    type="button"
                    disabled={act.isPending}
                    onClick={() => act.mutate({ kind: "restart" })}
                  >
                    Restart
                  </button>
                  <button
                    type="button"
                    disabled={act.isPending || a.instances === 0}
                    onClick={() => act.mutate({ kind: "scale", n: 0 })}
                  >
                    Suspend
                  </button>
                  {queued && queued.delay.timeLeftSeconds > 0 && (
                    <button type="button" onClick={() => act.mutate({ kind: "resetDelay" })}>
                      Reset delay ({queued.delay.timeLeftSeconds}s)
                    </button>
                  )}
                  <button
                    type="button"
                    className="danger"
                    disabled={act.isPending}
                    onClick={() => {
                      if (window.confirm(`Destroy ${a.id}? Its tasks are killed.`))
                        act.mutate({ kind: "destroy" });
                    }}
                  >
                    Destroy
                  </button>
                </form>
                {act.error && <ErrorState error={act.error} />}
              </section>
              <div className="tabs" role="tablist" aria-label="App details">
                {(["tasks", "config", "versions", "debug"] as const).map((t) => (
                  <button
                    key={t}
                    type="button"
                    role="tab"
                    aria-selected={tab === t}
                    onClick={() => setTab(t)}
                  >
                    {t === "config" ? "configuration" : t}
                  </button>
                ))}
              </div>
              <section className="card" role="tabpanel">
                {tab === "tasks" &&
                  ((a.tasks ?? []).length === 0 ? (
                    <Empty>No tasks.</Empty>
                  ) : (
                    <table className="table">
                      <thead>
                        <tr>
                          <th scope="col">Task</th>
                          <th scope="col">State</th>
                          <th scope="col">Health</th>
                          <th scope="col">Host</th>
                          <th scope="col">Ports</th>
                          <th scope="col">Started</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(a.tasks ?? []).map((t) => (
                          <tr key={t.id}>
                            <td className="mono">
                              {frameworkId ? <Link to={routes.task(frameworkId, t.id)}>{t.id}</Link> : t.id}
                            </td>
                            <td>{t.state ? <StatusBadge state={t.state} /> : "—"}</td>
                            <td>
                              {t.healthCheckResults.length === 0
                                ? "—"
                                : t.healthCheckResults.every((h) => h.alive)
                                  ? "healthy"
                                  : "unhealthy"}
                            </td>
                            <td>{t.host}</td>
                            <td>{t.ports.join(", ")}</td>
                            <td>{t.startedAt ?? t.stagedAt ?? ""}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ))}
                {tab === "config" && <pre className="code">{JSON.stringify(editableApp(a), null, 2)}</pre>}
                {tab === "versions" && (
                  <QueryView query={versions} what="versions">
                    {({ versions: list }) => (
                      <ul>
                        {list.map((v) => (
                          <li key={v}>
                            <span className="mono">{v}</span>
                            {v === a.version ? (
                              " (current)"
                            ) : (
                              <button type="button" onClick={() => act.mutate({ kind: "apply", version: v })}>
                                Apply this version
                              </button>
                            )}
                          </li>
                        ))}
                      </ul>
                    )}
                  </QueryView>
                )}
                {tab === "debug" && (
                  <dl className="facts">
                    <dt>Last task failure</dt>
                    <dd>
                      {a.lastTaskFailure
                        ? `${a.lastTaskFailure.taskId ?? ""} ${a.lastTaskFailure.state ?? ""} at ${a.lastTaskFailure.timestamp ?? ""}: ${a.lastTaskFailure.message ?? ""}`
                        : "none"}
                    </dd>
                    <dt>Offers declined (launch queue)</dt>
                    <dd>
                      <pre className="code small">
                        {queued
                          ? JSON.stringify(queued.processedOffersSummary ?? {}, null, 2)
                          : "not waiting for offers"}
                      </pre>
                    </dd>
                  </dl>
                )}
              </section>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
