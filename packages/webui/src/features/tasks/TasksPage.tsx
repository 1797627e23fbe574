import { useDeferredValue, useMemo } from "react";
import { allTasks, useMasterState } from "../../api/queries";
import { QueryView } from "../../components/States";
import { useUrlState } from "../../components/url-state";
import { parseSort } from "../../components/VirtualTable";
import { filterTasks } from "./filter";
import { TaskList } from "./TaskList";

const STATES = [
  "TASK_STAGING",
  "TASK_STARTING",
  "TASK_RUNNING",
  "TASK_KILLING",
  "TASK_UNREACHABLE",
  "TASK_FINISHED",
  "TASK_KILLED",
  "TASK_FAILED",
  "TASK_ERROR",
  "TASK_LOST",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
];

export function TasksPage() {
  const query = useMasterState();
  const url = useUrlState();
  const text = url.get("q");
  const state = url.get("state");
  const frameworkId = url.get("framework");
  const sort = parseSort(url.get("sort"), { id: "updated", desc: true });
  const deferredText = useDeferredValue(text);
  const set = url.set;
  const tasks = useMemo(() => (query.data ? allTasks(query.data) : []), [query.data]);
  const shown = useMemo(
    () => filterTasks(tasks, { text: deferredText, state, frameworkId }),
    [tasks, deferredText, state, frameworkId],
  );
  return (
    <div className="page">
      <h1>Tasks</h1>
      <div className="toolbar">
        <label>
          Search{" "}
          <input
            type="search"
            value={text}
            placeholder="id, name or agent"
            onChange={(e) => set("q", e.target.value)}
          />
        </label>
        <label>
          State{" "}
          <select value={state} onChange={(e) => set("state", e.target.value)}>
            <option value="">all</option>
            <option value="active">active (not ended)</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace("TASK_", "").toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        {query.data && (
          <label>
            Framework{" "}
            <select value={frameworkId} onChange={(e) => set("framework", e.target.value)}>
              <option value="">all</option>
              {[...query.data.frameworks, ...query.data.completed_frameworks].map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="muted" aria-live="polite">
          {shown.length} of {tasks.length} tasks
        </span>
      </div>
      <QueryView query={query} what="tasks">
        {() => (
          <TaskList tasks={shown} sort={sort} onSort={(s) => set("sort", `${s.desc ? "-" : ""}${s.id}`)} />
        )}
      </QueryView>
    </div>
  );
}
