import { Link, useParams } from "react-router";
import { useMasterState } from "../../api/queries";
import { ago, dateTime, formatMb } from "../../components/format";
import { Empty, QueryView } from "../../components/States";
import { routes } from "../../routes";
import { TaskList } from "../tasks/TaskList";

export function FrameworkPage() {
  const { frameworkId = "" } = useParams();
  const query = useMasterState();
  return (
    <div className="page">
      <QueryView query={query} what="the framework">
        {(s) => {
          const f = [...s.frameworks, ...s.completed_frameworks].find((x) => x.id === frameworkId);
          if (!f)
            return (
              <div className="state">
                <h1>Framework {frameworkId}</h1>
                <p>The master does not know this framework.</p>
                <Link to={routes.frameworks()}>All frameworks</Link>
              </div>
            );
          return (
            <>
              <h1>Framework {f.name}</h1>
              <div className="grid-2">
                <section className="card" aria-labelledby="fw-facts">
                  <h2 id="fw-facts">Details</h2>
                  <dl className="facts">
                    <dt>ID</dt>
                    <dd className="mono">{f.id}</dd>
                    <dt>State</dt>
                    <dd>
                      {f.unregistered_time
                        ? "completed"
                        : f.connected
                          ? "connected"
                          : "disconnected (failing over)"}
                    </dd>
                    <dt>Roles</dt>
                    <dd>{(f.roles.length ? f.roles : [f.role]).join(", ")}</dd>
                    <dt>Principal</dt>
                    <dd>{f.principal ?? "—"}</dd>
                    <dt>Host</dt>
                    <dd>{f.hostname || "—"}</dd>
                    <dt>Registered</dt>
                    <dd title={dateTime(f.registered_time)}>{ago(f.registered_time)}</dd>
                    <dt>Web UI</dt>
                    <dd>
                      {f.webui_url ? (
                        <a href={`/service/${encodeURIComponent(f.name)}/`}>/service/{f.name}/</a>
                      ) : (
                        "—"
                      )}
                    </dd>
                  </dl>
                </section>
                <section className="card" aria-labelledby="fw-res">
                  <h2 id="fw-res">Resources</h2>
                  <dl className="facts">
                    <dt>Used</dt>
                    <dd>
                      {f.used_resources.cpus} cpus, {formatMb(f.used_resources.mem)}
                    </dd>
                    <dt>Offered</dt>
                    <dd>
                      {f.offered_resources.cpus} cpus, {formatMb(f.offered_resources.mem)}
                    </dd>
                    <dt>Dominant share</dt>
                    <dd>{(f.dominant_share * 100).toFixed(1)}%</dd>
                  </dl>
                  <h3>Outstanding offers ({f.offers.length})</h3>
                  {f.offers.length === 0 ? (
                    <Empty>None right now.</Empty>
                  ) : (
                    <ul className="small">
                      {f.offers.map((o) => (
                        <li key={o.id}>
                          <span className="mono">{o.id.slice(-12)}</span> on{" "}
                          <Link to={routes.agent(o.slave_id)}>{o.slave_id.slice(-8)}</Link>:{" "}
                          {o.resources.cpus} cpus, {formatMb(o.resources.mem)}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </div>
              <section className="card" aria-labelledby="fw-tasks">
                <h2 id="fw-tasks">Tasks</h2>
                <TaskList tasks={[...f.tasks, ...f.unreachable_tasks, ...f.completed_tasks]} height="480px" />
              </section>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
