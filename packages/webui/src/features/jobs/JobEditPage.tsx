import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, sendJson } from "../../api/client";
import { keys } from "../../api/queries";
import { JsonEditor } from "../../components/JsonEditor";
import { parseJsonObject } from "../../components/json-errors";
import { ErrorState, Loading } from "../../components/States";
import { routes } from "../../routes";
import { fieldErrors } from "../services/marathon";
import { CHRONOS, useJobs } from "./chronos";

const READ_ONLY = [
  "successCount",
  "errorCount",
  "lastSuccess",
  "lastError",
  "errorsSinceLastSuccess",
  "status",
  "state",
];

function template(): Record<string, unknown> {
  const start = new Date(Date.now() + 60_000);
  start.setSeconds(0, 0);
  return {
    name: "hello-job",
    command: "echo hello from chronos",
    schedule: `R/${start.toISOString().replace(/\.\d+Z$/, "Z")}/PT1H`,
    scheduleTimeZone: "UTC",
    epsilon: "PT1M",
    cpus: 0.1,
    mem: 32,
    owner: "",
  };
}

/** Create (`/jobs/new`) or edit (`/jobs/:name/edit`) a Chronos job as JSON; dependent jobs name `parents`. */
export function JobEditPage() {
  const { name } = useParams();
  const editing = name !== undefined;
  const jobs = useJobs();
  const [text, setText] = useState<string | undefined>(
    editing ? undefined : JSON.stringify(template(), null, 2),
  );
  const navigate = useNavigate();
  const client = useQueryClient();
  useEffect(() => {
    const job = jobs.data?.find((j) => j.name === name);
    if (editing && text === undefined && job)
      setText(
        JSON.stringify(
          Object.fromEntries(Object.entries(job).filter(([k]) => !READ_ONLY.includes(k))),
          null,
          2,
        ),
      );
  }, [editing, jobs.data, name, text]);
  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>) => {
      const dependent = Array.isArray(body.parents) && body.parents.length > 0;
      await sendJson("POST", `${CHRONOS}/v1/scheduler/${dependent ? "dependency" : "iso8601"}`, body);
      return typeof body.name === "string" ? body.name : (name ?? "");
    },
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: keys.chronos });
      navigate(routes.job(saved));
    },
  });
  if (editing && text === undefined)
    return jobs.error ? <ErrorState error={jobs.error} /> : <Loading what="the job" />;
  const current = text ?? "";
  const parsed = parseJsonObject(current);
  const errors =
    save.error instanceof ApiError && save.error.status < 500
      ? fieldErrors(save.error.body)
      : new Map<string, string[]>();
  return (
    <div className="page">
      <h1>{editing ? `Edit job ${name}` : "Create a job"}</h1>
      <p className="muted">
        A scheduled job has a <code>schedule</code> (ISO 8601 <code>R[n]/start/period</code>) and a{" "}
        <code>scheduleTimeZone</code>; a dependent job names its <code>parents</code> instead and runs after
        they succeed.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if ("value" in parsed) save.mutate(parsed.value);
        }}
      >
        <JsonEditor
          id="job-json"
          label="Job definition (Chronos JSON)"
          value={current}
          onChange={setText}
          errors={errors}
        />
        {save.error && errors.size === 0 && <ErrorState error={save.error} />}
        <div className="toolbar">
          <button type="submit" className="primary" disabled={save.isPending || "error" in parsed}>
            {editing ? "Save changes" : "Create"}
          </button>
          <Link to={editing && name ? routes.job(name) : routes.jobs()}>Cancel</Link>
        </div>
      </form>
    </div>
  );
}
