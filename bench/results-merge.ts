/** One scenario's entry in a results file: its name, the machine and date it was measured on, its figures. */
export interface ScenarioResult {
  scenario: string;
  /** The run's machine and date (a file merged from several runs holds several). */
  machine?: unknown;
}

export interface ResultsFile<R extends ScenarioResult = ScenarioResult> {
  /** The machine of the latest run written into the file. */
  machine: unknown;
  command: string;
  results: R[];
}

/**
 * Merges a run's results into a results file already written, by scenario: a scenario measured now
 * replaces its earlier figures in place, one not measured now keeps them (with the machine and date
 * they were measured on, taken from the file when the entry has none of its own), a new one is
 * appended. So a run of a few scenarios (LAUNCH_SCENARIOS) no longer erases the others. Anything
 * that is not a results file (missing, torn, another shape) is replaced by the run.
 */
export function mergeByScenario<R extends ScenarioResult>(
  existing: unknown,
  run: ResultsFile<R>,
): ResultsFile {
  const stamped = run.results.map((r) => ({ ...r, machine: run.machine }));
  if (!isResultsFile(existing)) return { ...run, results: stamped };
  const fresh = new Map(stamped.map((r) => [r.scenario, r]));
  const results: ScenarioResult[] = existing.results.map(
    (old) => fresh.get(old.scenario) ?? { ...old, machine: old.machine ?? existing.machine },
  );
  const kept = new Set(existing.results.map((r) => r.scenario));
  results.push(...stamped.filter((r) => !kept.has(r.scenario)));
  return { machine: run.machine, command: run.command, results };
}

function isResultsFile(value: unknown): value is ResultsFile {
  if (typeof value !== "object" || value === null) return false;
  const { results } = value as { results?: unknown };
  return (
    Array.isArray(results) &&
    results.every(
      (r) =>
        typeof r === "object" && r !== null && typeof (r as { scenario?: unknown }).scenario === "string",
    )
  );
}
