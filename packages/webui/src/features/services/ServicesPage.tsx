import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { isApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { useUrlState } from "../../components/url-state";
import { routes } from "../../routes";
import { testIds } from "../../testids";
import { allLabelPairs, filterApps, hasVolumes, labelPairs } from "./filters";
import { type App, type Deployment, MARATHON, useApps, useDeployments, useQueue } from "./marathon";

/** Running, staged and unhealthy instances against the wanted count, as Marathon's UI drew them. */
export function HealthBar({ app }: { app: App }) {
  const total = Math.max(app.instances, app.tasksRunning + app.tasksStaged, 1);
  const healthy = app.healthChecks.length ? app.tasksHealthy : app.tasksRunning;
  const unhealthy = app.healthChecks.length ? app.tasksUnhealthy : 0;
  const part = (n: number) => `${(n / total) * 100}%`;
  return (
    <div
      className="health-bar"
      role="img"
      aria-label={`${app.tasksRunning} of ${app.instances} running, ${healthy} healthy, ${unhealthy} unhealthy, ${app.tasksStaged} staged`}
    >
      <span className="hb-healthy" style={{ width: part(healthy) }} />
      <span className="hb-unhealthy" style={{ width: part(unhealthy) }} />
      <span className="hb-staged" style={{ width: part(app.tasksStaged) }} />
    </div>
  );
}

export function appStatus(app: App): string {
  if (app.deployments.length) return "deploying";
  if (app.instances === 0) return "suspended";
  if (app.tasksRunning < app.instances) return "waiting";
  return "running";
}

export function ServicesPage() {
  const apps = useApps();
  const deployments = useDeployments();
  const queue = useQueue();
  const url = useUrlState();
  const filter = url.get("q");
  const status = url.get("status");
  const labels = url.getAll("label");
  const volumes = url.get("volumes") === "1";
  if (apps.error && isApiError(apps.error, 404))
    return (
      <div className="page">
        <h1>Services</h1>
        <Empty>Marathon is not registered with this master, so there are no services to show.</Empty>
      </div>
    );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Services</h1>
        <Link className="button primary" to={routes.newService()}>
          Create app
        </Link>
      </div>
      <div className="toolbar">
        <label>
          Filter{" "}
          <input
            type="search"
            value={filter}
            placeholder="app id"
            onChange={(e) => url.set("q", e.target.value)}
          />
        </label>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => url.set("status", e.target.value)}>
            <option value="">all</option>
            <option value="running">running</option>
            <option value="deploying">deploying</option>
            <option value="waiting">waiting</option>
            <option value="suspended">suspended</option>
          </select>
        </label>
      </div>
      <QueryView query={apps} what="apps">
        {({ apps: list }) => {
          if (list.length === 0) return <Empty>No apps yet. Create one to run a long-running service.</Empty>;
          const rows = filterApps(list, { text: filter, status, labels, volumes }, appStatus);
          return (
            <>
              <div className="toolbar">
                <LabelFilter
                  choices={allLabelPairs(list)}
                  chosen={labels}
                  onChange={(next) => url.setAll("label", next)}
                />
                <label>
                  <input
                    type="checkbox"
                    checked={volumes}
                    onChange={(e) => url.set("volumes", e.target.checked ? "1" : "")}
                  />{" "}
                  With volumes ({list.filter(hasVolumes).length})
                </label>
              </div>
              {rows.length === 0 ? <Empty>No app matches.</Empty> : <AppTable rows={rows} />}
            </>
          );
        }}
      </QueryView>
      <section className="card" aria-labelledby="deployments-h">
        <h2 id="deployments-h">Deployments</h2>
        <QueryView query={deployments} what="deployments">
          {(list) =>
            list.length === 0 ? <Empty>No deployment in progress.</Empty> : <Deployments list={list} />
          }
        </QueryView>
      </section>
      <section className="card" aria-labelledby="queue-h">
        <h2 id="queue-h">Launch queue</h2>
        {queue.error ? (
          <ErrorState error={queue.error} />
        ) : !queue.data || queue.data.queue.length === 0 ? (
          <Empty>Nothing waits to launch.</Empty>
        ) : (
          <ul>
            {queue.data.queue.map((q) => (
              <li key={q.app.id}>
                <Link to={routes.service(q.app.id)}>{q.app.id}</Link>: {q.count} to launch
                {q.delay.timeLeftSeconds > 0 ? `, delayed ${q.delay.timeLeftSeconds}s (backoff)` : ""}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function Deployments({ list }: { list: Deployment[] }) {
  const client = useQueryClient();
  // Marathon: DELETE rolls the deployment back (a new deployment to the previous state); force=true only stops it.
  const cancel = useMutation({
    mutationFn: ({ id, force }: { id: string; force: boolean }) =>
      sendJson("DELETE", `${MARATHON}/v2/deployments/${encodeURIComponent(id)}${force ? "?force=true" : ""}`),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.marathon }),
  });
  return (
    <>
      {cancel.error && <ErrorState error={cancel.error} />}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Deployment</th>
            <th scope="col">Apps</th>
            <th scope="col">Progress</th>
            <th scope="col">Current actions</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {list.map((d) => (
            <tr key={d.id}>
              <td className="mono">{d.id.slice(0, 8)}</td>
              <td>{d.affectedApps.join(", ")}</td>
              <td>
                <progress
                  max={d.totalSteps}
                  value={d.currentStep}
                  aria-label={`step ${d.currentStep} of ${d.totalSteps}`}
                />{" "}
                {d.currentStep}/{d.totalSteps}
              </td>
              <td>{d.currentActions.map((a) => `${a.action} ${a.app}`).join(", ")}</td>
              <td>
                <button
                  type="button"
                  disabled={cancel.isPending}
                  onClick={() => cancel.mutate({ id: d.id, force: false })}
                >
                  Roll back
                </button>{" "}
                <button
                  type="button"
                  disabled={cancel.isPending}
                  onClick={() => cancel.mutate({ id: d.id, force: true })}
                >
                  Stop
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function AppTable({ rows }: { rows: App[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">Status</th>
          <th scope="col">Instances</th>
          <th scope="col">Health</th>
          <th scope="col">CPUs</th>
          <th scope="col">Mem</th>
          <th scope="col">Labels</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => (
          <tr key={a.id} data-testid={testIds.appRow}>
            <th scope="row">
              <Link to={routes.service(a.id)}>{a.id}</Link>
            </th>
            <td>{appStatus(a)}</td>
            <td>
              {a.tasksRunning} / {a.instances}
            </td>
            <td>
              <HealthBar app={a} />
            </td>
            <td>{a.cpus}</td>
            <td>{a.mem} MB</td>
            <td className="small">{labelPairs(a).join(", ") || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Marathon's label filter: every `key:value` pair the apps carry; an app with any chosen pair shows. */
function LabelFilter({
  choices,
  chosen,
  onChange,
}: {
  choices: string[];
  chosen: string[];
  onChange: (next: string[]) => void;
}) {
  if (choices.length === 0) return null;
  return (
    <details className="label-filter">
      <summary>Labels{chosen.length ? ` (${chosen.length} chosen)` : ""}</summary>
      <fieldset>
        <legend className="visually-hidden">Show apps with any of these labels</legend>
        {choices.map((pair) => (
          <label key={pair} className="mono small">
            <input
              type="checkbox"
              checked={chosen.includes(pair)}
              onChange={(e) =>
                onChange(e.target.checked ? [...chosen, pair] : chosen.filter((c) => c !== pair))
              }
            />{" "}
            {pair}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
