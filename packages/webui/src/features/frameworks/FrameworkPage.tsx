import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { postForm } from "../../api/client";
import { keys, useMasterState } from "../../api/queries";
import type { Framework } from "../../api/schemas";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ago, dateTime, formatMb } from "../../components/format";
import { Empty, ErrorState, QueryView } from "../../components/States";
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
              {!f.unregistered_time && <Teardown framework={f} />}
            </>
          );
        }}
      </QueryView>
    </div>
  );
}

/** Mesos' operator teardown (`POST /teardown`, form body `frameworkId=`), after a confirmation. */
function Teardown({ framework: f }: { framework: Framework }) {
  const [asking, setAsking] = useState(false);
  const client = useQueryClient();
  const teardown = useMutation({
    mutationFn: () => postForm("/teardown", { frameworkId: f.id }),
    onSettled: () => client.invalidateQueries({ queryKey: keys.state }),
  });
  return (
    <section className="card danger-zone" aria-labelledby="fw-ops">
      <h2 id="fw-ops">Operations</h2>
      <p>
        Tearing the framework down kills its {f.tasks.length} running task{f.tasks.length === 1 ? "" : "s"}{" "}
        and removes it: it cannot subscribe again with this id.
      </p>
      <button type="button" className="danger" disabled={teardown.isPending} onClick={() => setAsking(true)}>
        Tear down
      </button>
      {teardown.error && <ErrorState error={teardown.error} />}
      <ConfirmDialog
        open={asking}
        title={`Tear down ${f.name}?`}
        confirmLabel="Tear down"
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          teardown.mutate();
        }}
      >
        <p>
          Its {f.tasks.length} task{f.tasks.length === 1 ? " is" : "s are"} killed and framework{" "}
          <span className="mono">{f.id}</span> is removed for good.
        </p>
      </ConfirmDialog>
    </section>
  );
}
