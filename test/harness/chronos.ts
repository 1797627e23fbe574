import { startFrameworkProcess } from "./marathon.js";
import type { Spawned } from "./processes.js";
import { waitFor } from "./wait.js";

/** A Chronos job as `GET /v1/scheduler/job/{name}` answers it (the fields tests read). */
export interface ChronosJobJson {
  name: string;
  schedule?: string;
  parents?: string[];
  disabled: boolean;
  successCount: number;
  errorCount: number;
  lastSuccess: string;
  lastError: string;
  errorsSinceLastSuccess: number;
}

/** A run as Metronome's `GET /v1/jobs/{id}/runs/{rid}` and the history embeds show it. */
export interface RunJson {
  id: string;
  status: string;
  createdAt: string;
  finishedAt?: string;
  completedAt?: string;
  tasks: { id: string; status: string; startedAt?: string; completedAt?: string }[];
}

/** One call to a Chronos API with a JSON body; answers status and parsed body (text when not JSON). */
export async function chronosApi<T = unknown>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

export async function chronosJob(url: string, name: string): Promise<ChronosJobJson> {
  const r = await chronosApi<ChronosJobJson>(url, "GET", `/v1/scheduler/job/${name}`);
  if (r.status !== 200) throw new Error(`GET job ${name} answered ${r.status}`);
  return r.body;
}

/** The job's finished runs, newest first (Metronome's `embed=history`). */
export async function finishedRuns(url: string, name: string): Promise<RunJson[]> {
  const r = await chronosApi<{
    history?: { successfulFinishedRuns: RunJson[]; failedFinishedRuns: RunJson[] };
  }>(url, "GET", `/v1/jobs/${name}?embed=history`);
  const h = r.body.history;
  if (!h) throw new Error(`GET /v1/jobs/${name}?embed=history answered ${r.status} without history`);
  return [...h.successfulFinishedRuns, ...h.failedFinishedRuns].sort((a, b) =>
    (b.finishedAt ?? b.completedAt ?? "").localeCompare(a.finishedAt ?? a.completedAt ?? ""),
  );
}

/** Waits until `name` has counted `n` successes (Chronos' `successCount`). */
export async function waitForSuccesses(url: string, name: string, n: number, timeoutMs = 30_000) {
  return waitFor(
    `${name} to succeed ${n} time(s)`,
    async () => {
      const job = await chronosJob(url, name);
      return job.successCount >= n ? job : undefined;
    },
    { timeoutMs },
  );
}

/** Starts `agora chronos` on loopback at a free port and waits until it answers `/ping`. */
export function startChronosProcess(
  natsUrl: string,
  o: { stateDir?: string; extra?: string[] } = {},
): Promise<{ proc: Spawned; url: string; port: number }> {
  return startFrameworkProcess("chronos", natsUrl, o);
}
