import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { isApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { Empty, ErrorState, QueryView } from "../../components/States";
import { useUrlState } from "../../components/url-state";
import { routes } from "../../routes";
import { CHRONOS, type Job, useJobGraph, useJobs } from "./chronos";
import { JobGraph } from "./JobGraph";
import { describeSchedule, formatIn, nextRun, parseSchedule } from "./schedule";

/** A job's schedule in words and its next run, in the job's zone and the viewer's. */
export function ScheduleText({ job }: { job: Job }) {
  if (job.parents?.length) return <>after {job.parents.join(", ")}</>;
  const s = job.schedule ? parseSchedule(job.schedule) : undefined;
  if (!s) return <span className="mono">{job.schedule ?? "—"}</span>;
  const next = nextRun(s, Date.now());
  const zone = job.scheduleTimeZone || "UTC";
  const viewer = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      {describeSchedule(s)}
      {next && (
        <span className="muted small">
          {" "}
          · next {formatIn(next, zone)}
          {viewer !== zone ? ` (${formatIn(next)} here)` : ""}
        </span>
      )}
    </>
  );
}

export function JobsPage() {
  const jobs = useJobs();
  const graph = useJobGraph();
  const url = useUrlState();
  const client = useQueryClient();
  const filter = url.get("q");
  const runNow = useMutation({
    mutationFn: (name: string) => sendJson("PUT", `${CHRONOS}/v1/scheduler/job/${encodeURIComponent(name)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.chronos }),
  });
  if (jobs.error && isApiError(jobs.error, 404))
    return (
      <div className="page">
        <h1>Jobs</h1>
        <Empty>Chronos is not registered with this master, so there are no jobs to show.</Empty>
      </div>
    );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <Link className="button primary" to={routes.newJob()}>
          Create job
        </Link>
      </div>
      <div className="toolbar">
        <label>
          Filter{" "}
          <input
            type="search"
            value={filter}
            placeholder="job name"
            onChange={(e) => url.set("q", e.target.value)}
          />
        </label>
      </div>
      <QueryView query={jobs} what="jobs">
        {(list) => {
          const rows = list.filter((j) => !filter || j.name.toLowerCase().includes(filter.toLowerCase()));
          if (list.length === 0)
            return <Empty>No jobs yet. Create one to run a command on a schedule.</Empty>;
          if (rows.length === 0) return <Empty>No job matches.</Empty>;
          return (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Last</th>
                  <th scope="col">State</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Runs (ok / failed)</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((j) => (
                  <tr key={j.name} data-testid="job-row">
                    <th scope="row">
                      <Link to={routes.job(j.name)}>{j.name}</Link>
                      {j.disabled && <span className="muted small"> (disabled)</span>}
                    </th>
                    <td>{j.status || "—"}</td>
                    <td>{j.state || "—"}</td>
                    <td>
                      <ScheduleText job={j} />
                    </td>
                    <td>
                      {j.successCount} / {j.errorCount}
                    </td>
                    <td>
                      <button type="button" onClick={() => runNow.mutate(j.name)} disabled={runNow.isPending}>
                        Run now
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </QueryView>
      {runNow.error && <ErrorState error={runNow.error} />}
      <section className="card" aria-labelledby="graph-h">
        <h2 id="graph-h">Dependencies</h2>
        <QueryView query={graph} what="the dependency graph">
          {(g) =>
            g.edges.length === 0 ? (
              <Empty>No job depends on another.</Empty>
            ) : (
              <div className="graph-scroll">
                <JobGraph nodes={g.nodes} edges={g.edges} />
              </div>
            )
          }
        </QueryView>
      </section>
    </div>
  );
}
