import { Link, useParams } from "react-router";
import { useMasterState } from "../../api/queries";
import { dateTime, formatMb } from "../../components/format";
import { QueryView } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { routes } from "../../routes";
import { Sandbox } from "./Sandbox";

export function TaskPage() {
  const { frameworkId = "", taskId = "" } = useParams();
  const query = useMasterState();
  return (
    <div className="page">
      <QueryView query={query} what="the task">
        {(s) => {
          const framework = [...s.frameworks, ...s.completed_frameworks].find((f) => f.id === frameworkId);
          const task = framework
            ? [...framework.tasks, ...framework.unreachable_tasks, ...framework.completed_tasks].find(
                (t) => t.id === taskId,
              )
            : undefined;
          if (!framework || !task)
            return (
              <div className="state">
                <h1 className="mono">Task {taskId}</h1>
                <p>The master no longer knows this task (completed tasks are kept for a while only).</p>
                <Link to={routes.tasks()}>All tasks</Link>
              </div>
            );
          return (
            <>
              <h1 className="mono break">{task.id}</h1>
              <div className="grid-2">
                <section className="card" aria-labelledby="task-facts">
                  <h2 id="task-facts">Details</h2>
                  <dl className="facts">
                    <dt>State</dt>
                    <dd>
                      <StatusBadge state={task.state} />
                    </dd>
                    <dt>Health</dt>
                    <dd>
                      {task.healthy === undefined
                        ? "no health check"
                        : task.healthy
                          ? "healthy"
                          : "unhealthy"}
                    </dd>
                    <dt>Name</dt>
                    <dd>{task.name}</dd>
                    <dt>Framework</dt>
                    <dd>
                      <Link to={routes.framework(framework.id)}>{framework.name}</Link>
                    </dd>
                    <dt>Agent</dt>
                    <dd>
                      <Link to={routes.agent(task.slave_id)} className="mono">
                        {task.slave_id}
                      </Link>
                    </dd>
                    <dt>Role</dt>
                    <dd>{task.role ?? "—"}</dd>
                    <dt>Resources</dt>
                    <dd>
                      {task.resources.cpus} cpus, {formatMb(task.resources.mem)}
                      {task.resources.disk ? `, ${formatMb(task.resources.disk)} disk` : ""}
                      {task.resources.ports ? `, ports ${task.resources.ports}` : ""}
                    </dd>
                  </dl>
                </section>
                <section className="card" aria-labelledby="task-history">
                  <h2 id="task-history">Status history</h2>
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Time</th>
                        <th scope="col">State</th>
                        <th scope="col">Reason</th>
                        <th scope="col">Message</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...task.statuses].reverse().map((st, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: statuses have no id; the list only grows
                        <tr key={i}>
                          <td>{dateTime(st.timestamp)}</td>
                          <td>
                            <StatusBadge state={st.state} />
                          </td>
                          <td>
                            {st.reason
                              ?.replace(/^REASON_/, "")
                              .toLowerCase()
                              .replace(/_/g, " ") ?? ""}
                          </td>
                          <td>{st.message ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              </div>
              <Sandbox agentId={task.slave_id} frameworkId={framework.id} taskId={task.id} />
            </>
          );
        }}
      </QueryView>
    </div>
  );
}
