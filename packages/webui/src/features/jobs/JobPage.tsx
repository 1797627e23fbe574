import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { isApiError, sendJson } from "../../api/client";
import { keys, useMasterState } from "../../api/queries";
import { duration } from "../../components/format";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { routes } from "../../routes";
import { testIds } from "../../testids";
import { SandboxFileLinks } from "../tasks/Sandbox";
import { CHRONOS, type JobDetail, jobsKey, useJobDetail, useJobs } from "./chronos";
import { ScheduleText } from "./JobsPage";
import { newlyFinishedRuns, type RunRow, runRows } from "./runs";

/**
 * A job's runs: outcome, how long each took, and per task (first attempt and retries) its exit code,
 * how long it ran, and its output: the task page tails it live, stdout and stderr download from the
 * sandbox through the master.
 */
function Runs({ rows, frameworkId }: { rows: RunRow[]; frameworkId: string | undefined }) {
  if (rows.length === 0) return <Empty>No runs yet.</Empty>;
  return (
    <table className="table" data-testid={testIds.jobRuns}>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Outcome</th>
          <th scope="col">Duration</th>
          <th scope="col">Task</th>
          <th scope="col">Exit code</th>
          <th scope="col">Ran</th>
          <th scope="col">Output</th>
        </tr>
      </thead>
      <tbody>
        {rows.flatMap((r) => {
          const attempts = r.attempts.length ? r.attempts : [undefined];
          return attempts.map((a, i) => (
            <tr key={`${r.id}/${a?.taskId ?? ""}`} data-testid={testIds.jobRun}>
              {i === 0 && (
                <>
                  <td rowSpan={attempts.length}>
                    {new Date(r.createdAt).toLocaleString(undefined, { hour12: false })}
                  </td>
                  <td rowSpan={attempts.length}>{r.status}</td>
                  <td rowSpan={attempts.length}>
                    {duration(r.seconds)}
                    {r.finished ? "" : " so far"}
                  </td>
                </>
              )}
              <td className="mono small">
                {a && frameworkId ? (
                  <Link to={routes.task(frameworkId, a.taskId)}>{a.taskId}</Link>
                ) : (
                  a?.taskId
                )}
              </td>
              <td data-testid={testIds.exitCode}>{a?.exitCode ?? "—"}</td>
              <td>{a?.seconds === undefined ? "—" : duration(a.seconds)}</td>
              <td>
                {a?.task && frameworkId ? (
                  <SandboxFileLinks agentId={a.task.slave_id} frameworkId={frameworkId} taskId={a.taskId} />
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}

export function JobPage() {
  const { name = "" } = useParams();
  const jobs = useJobs();
  const detail = useJobDetail(name);
  const state = useMasterState();
  const client = useQueryClient();
  const navigate = useNavigate();
  const chronos = state.data?.frameworks.find((f) => f.name === "chronos");
  const tasksById = useMemo(
    () => new Map([...(chronos?.tasks ?? []), ...(chronos?.completed_tasks ?? [])].map((t) => [t.id, t])),
    [chronos],
  );
  // The runs poll faster than the jobs: when a run ends, the details (state, counts, last success)
  // are read again at once, rather than showing "1 running" beside a finished run until the next poll.
  const seen = useRef<JobDetail | undefined>(undefined);
  useEffect(() => {
    const prev = seen.current;
    seen.current = detail.data;
    if (prev && detail.data && prev.id === detail.data.id && newlyFinishedRuns(prev, detail.data).length)
      void client.invalidateQueries({ queryKey: jobsKey });
  }, [detail.data, client]);
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
                  {(d) => <Runs rows={runRows(d, tasksById, Date.now())} frameworkId={chronos?.id} />}
                </QueryView>
              </section>
            </>
          )
        }
      </QueryView>
    </div>
  );
}
