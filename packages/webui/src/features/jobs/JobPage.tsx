import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { isApiError, sendJson } from "../../api/client";
import { keys, useMasterState } from "../../api/queries";
import { duration } from "../../components/format";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { routes } from "../../routes";
import { CHRONOS, type Run, useJobDetail, useJobs } from "./chronos";
import { ScheduleText } from "./JobsPage";

function runDuration(r: Run): string {
  const end = r.completedAt ?? r.finishedAt;
  if (!end) return `${duration((Date.now() - Date.parse(r.createdAt)) / 1000)} so far`;
  return duration((Date.parse(end) - Date.parse(r.createdAt)) / 1000);
}

export function JobPage() {
  const { name = "" } = useParams();
  const jobs = useJobs();
  const detail = useJobDetail(name);
  const state = useMasterState();
  const client = useQueryClient();
  const navigate = useNavigate();
  const chronosId = state.data?.frameworks.find((f) => f.name === "chronos")?.id;
  const act = useMutation({
    mutationFn: async (what: "run" | "kill" | "delete") => {
      const n = encodeURIComponent(name);
      if (what === "run") return sendJson("PUT", `${CHRONOS}/v1/scheduler/job/${n}`);
      if (what === "kill") return sendJson("DELETE", `${CHRONOS}/v1/scheduler/task/kill/${n}`);
      return sendJson("DELETE", `${CHRONOS}/v1/scheduler/job/${n}`);
    },
    onSuccess: async (_r, what) => {
      await client.invalidateQueries({ queryKey: keys.chronos });
      if (what === "delete") navigate(routes.jobs());
    },
  });
  const job = jobs.data?.find((j) => j.name === name);
  if (jobs.data && !job)
    return (
      <div className="page state">
        <h1>Job {name}</h1>
        <p>Chronos has no such job.</p>
        <Link to={routes.jobs()}>All jobs</Link>
      </div>
    );
  const taskLink = (id: string) => (chronosId ? <Link to={routes.task(chronosId, id)}>{id}</Link> : id);
  const runs = (
    detail.data?.history
      ? [
          ...detail.data.history.successfulFinishedRuns.map((r) => ({ ...r, status: "SUCCESS" })),
          ...detail.data.history.failedFinishedRuns.map((r) => ({ ...r, status: "FAILED" })),
        ]
      : []
  ).sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return (
    <div className="page">
      <QueryView query={jobs} what="the job">
        {() =>
          job && (
            <>
              <div className="page-head">
                <h1>Job {job.name}</h1>
                <Link className="button" to={`${routes.job(job.name)}/edit`}>
                  Edit
                </Link>
              </div>
              <section className="card" aria-labelledby="job-facts">
                <h2 id="job-facts">Details</h2>
                <dl className="facts">
                  <dt>Schedule</dt>
                  <dd>
                    <ScheduleText job={job} />
                  </dd>
                  <dt>Time zone</dt>
                  <dd>{job.scheduleTimeZone || "UTC"}</dd>
                  <dt>Command</dt>
                  <dd className="mono">{job.command}</dd>
                  <dt>State</dt>
                  <dd>
                    {job.state || "—"} (last: {job.status || "never ran"})
                  </dd>
                  <dt>Successes / errors</dt>
                  <dd>
                    {job.successCount} / {job.errorCount}
                  </dd>
                  <dt>Last success</dt>
                  <dd>{job.lastSuccess || "—"}</dd>
                  <dt>Last error</dt>
                  <dd>{job.lastError || "—"}</dd>
                </dl>
                <div className="toolbar">
                  <button
                    type="button"
                    className="primary"
                    onClick={() => act.mutate("run")}
                    disabled={act.isPending}
                  >
                    Run now
                  </button>
                  <button type="button" onClick={() => act.mutate("kill")} disabled={act.isPending}>
                    Kill running tasks
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={act.isPending}
                    onClick={() => {
                      if (window.confirm(`Delete job ${job.name}?`)) act.mutate("delete");
                    }}
                  >
                    Delete
                  </button>
                </div>
                {act.error && !isApiError(act.error, 404) && <ErrorState error={act.error} />}
              </section>
              <section className="card" aria-labelledby="job-runs">
                <h2 id="job-runs">Runs</h2>
                <QueryView query={detail} what="runs">
                  {(d) =>
                    d.activeRuns.length + runs.length === 0 ? (
                      <Empty>No runs yet.</Empty>
                    ) : (
                      <table className="table" data-testid="job-runs">
                        <thead>
                          <tr>
                            <th scope="col">Started</th>
                            <th scope="col">Outcome</th>
                            <th scope="col">Duration</th>
                            <th scope="col">Tasks (output)</th>
                          </tr>
                        </thead>
                        <tbody>
                          {[
                            ...d.activeRuns.map((r) => ({ ...r, status: r.status ?? "ACTIVE" })),
                            ...runs,
                          ].map((r) => (
                            <tr key={r.id}>
                              <td>{new Date(r.createdAt).toLocaleString(undefined, { hour12: false })}</td>
                              <td>{r.status}</td>
                              <td>{runDuration(r)}</td>
                              <td className="mono small">
                                {r.tasks.map((t) => {
                                  const id = typeof t === "string" ? t : t.id;
                                  return <div key={id}>{taskLink(id)}</div>;
                                })}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )
                  }
                </QueryView>
              </section>
            </>
          )
        }
      </QueryView>
    </div>
  );
}
