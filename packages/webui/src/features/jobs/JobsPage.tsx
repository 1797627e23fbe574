import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { getJson, isApiError } from "../../api/client";
import { keys } from "../../api/queries";
import { Empty, QueryView } from "../../components/States";

const Summary = z.object({
  jobs: z.array(
    z
      .object({
        name: z.string(),
        status: z.string().optional(),
        state: z.string().optional(),
        schedule: z.string().optional(),
      })
      .loose(),
  ),
});

/** Chronos' jobs through `/service/chronos/`: a list for now; the full pages come with the Chronos framework. */
export function JobsPage() {
  const jobs = useQuery({
    queryKey: [...keys.chronos, "summary"],
    queryFn: ({ signal }) => getJson("/service/chronos/v1/scheduler/jobs/summary", Summary, signal),
    retry: false,
  });
  return (
    <div className="page">
      <h1>Jobs</h1>
      {jobs.error && isApiError(jobs.error, 404) ? (
        <Empty>Chronos is not registered with this master, so there are no jobs to show.</Empty>
      ) : (
        <QueryView query={jobs} what="jobs">
          {({ jobs: list }) =>
            list.length === 0 ? (
              <Empty>No jobs yet.</Empty>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Status</th>
                    <th scope="col">State</th>
                    <th scope="col">Schedule</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((j) => (
                    <tr key={j.name}>
                      <th scope="row">{j.name}</th>
                      <td>{j.status ?? ""}</td>
                      <td>{j.state ?? ""}</td>
                      <td className="mono">{j.schedule ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </QueryView>
      )}
    </div>
  );
}
