import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { sendJson } from "../../api/client";
import { allTasks, keys, useAgentUsage, useMasterState } from "../../api/queries";
import { Bar } from "../../components/Bar";
import { ago, dateTime } from "../../components/format";
import { ErrorState, QueryView } from "../../components/States";
import { UsageChart } from "../../components/UsageChart";
import { testIds } from "../../testids";
import { TaskList } from "../tasks/TaskList";

export function AgentPage() {
  const { agentId = "" } = useParams();
  const query = useMasterState();
  const usage = useAgentUsage(agentId);
  const client = useQueryClient();
  const gone = useMutation({
    mutationFn: () => sendJson("POST", `/master/agents/${encodeURIComponent(agentId)}/gone`),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.state }),
  });
  return (
    <div className="page">
      <QueryView query={query} what="the agent">
        {(s) => {
          const a = s.slaves.find((x) => x.id === agentId);
          if (!a)
            return (
              <div className="state">
                <h1>Agent {agentId}</h1>
                <p>The master does not know this agent (it may have been removed or marked gone).</p>
                <Link to="/agents">All agents</Link>
              </div>
            );
          const tasks = allTasks(s).filter((t) => t.slave_id === a.id);
          return (
            <>
              <h1>
                Agent {a.hostname}:{a.port}
              </h1>
              <div className="grid-2">
                <section className="card" aria-labelledby="agent-facts">
                  <h2 id="agent-facts">Details</h2>
                  <dl className="facts">
                    <dt>ID</dt>
                    <dd className="mono">{a.id}</dd>
                    <dt>State</dt>
                    <dd>{a.active ? "active" : "inactive"}</dd>
                    <dt>Registered</dt>
                    <dd title={dateTime(a.registered_time)}>{ago(a.registered_time)}</dd>
                    <dt>Version</dt>
                    <dd>{a.version ?? "—"}</dd>
                    <dt>Capabilities</dt>
                    <dd>{a.capabilities.join(", ") || "—"}</dd>
                    <dt>Attributes</dt>
                    <dd>
                      {Object.entries(a.attributes)
                        .map(([k, v]) => `${k}:${v}`)
                        .join("; ") || "—"}
                    </dd>
                    <dt>Ports</dt>
                    <dd>{a.resources.ports || "—"}</dd>
                  </dl>
                </section>
                <section className="card" aria-labelledby="agent-res">
                  <h2 id="agent-res">Resources (used / total)</h2>
                  {(["cpus", "mem", "disk", "gpus"] as const).map((n) => (
                    <div key={n} className="res-row">
                      <span className="res-name">{n}</span>
                      <Bar name={n} used={a.used_resources[n]} total={a.resources[n]} />
                    </div>
                  ))}
                  <p className="muted">
                    Offered now: {a.offered_resources.cpus} cpus, {a.offered_resources.mem} MB
                  </p>
                  <h3>Reservations</h3>
                  {Object.keys(a.reserved_resources).length === 0 ? (
                    <p className="muted">None.</p>
                  ) : (
                    <ul>
                      {Object.entries(a.reserved_resources).map(([role, r]) => (
                        <li key={role}>
                          {role}: {r.cpus} cpus, {r.mem} MB
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </div>
              <section className="card" aria-labelledby="agent-usage">
                <h2 id="agent-usage">Resources over the last hour</h2>
                <QueryView query={usage} what="the agent's usage">
                  {(u) => (
                    <div className="grid-4">
                      {(["cpus", "mem", "disk", "gpus"] as const).map((n) => (
                        <div key={n}>
                          <h3>{n}</h3>
                          <UsageChart
                            name={n}
                            samples={u.samples}
                            stepped
                            testId={testIds.agentUsageChart(n)}
                          />
                        </div>
                      ))}
                    </div>
                  )}
                </QueryView>
              </section>
              <section className="card" aria-labelledby="agent-tasks">
                <h2 id="agent-tasks">Tasks ({tasks.length})</h2>
                <TaskList tasks={tasks} height="400px" />
              </section>
              <section className="card danger-zone" aria-labelledby="agent-ops">
                <h2 id="agent-ops">Operations</h2>
                <p>
                  Marking the agent gone ends its tasks (GONE_BY_OPERATOR) and refuses it from now on. For
                  planned work, use <Link to="/maintenance">maintenance</Link> instead.
                </p>
                <button
                  type="button"
                  className="danger"
                  disabled={gone.isPending}
                  onClick={() => {
                    if (
                      window.confirm(`Mark agent ${a.hostname} gone? Its tasks end and it cannot come back.`)
                    )
                      gone.mutate();
                  }}
                >
                  Mark gone
                </button>
                {gone.error && <ErrorState error={gone.error} />}
              </section>
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
