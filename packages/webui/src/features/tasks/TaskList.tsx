import { useMemo } from "react";
import { Link } from "react-router";
import type { Task } from "../../api/schemas";
import { ago, formatMb } from "../../components/format";
import { Empty } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { type Column, type Sort, sortRows, VirtualTable } from "../../components/VirtualTable";
import { routes } from "../../routes";
import { testIds } from "../../testids";

export const taskColumns: Column<Task>[] = [
  {
    id: "id",
    header: "Task",
    width: "minmax(200px, 3fr)",
    sortValue: (t) => t.id,
    cell: (t) => (
      <Link to={routes.task(t.framework_id, t.id)} className="mono" title={t.id}>
        {t.id}
      </Link>
    ),
  },
  { id: "name", header: "Name", width: "minmax(120px, 2fr)", sortValue: (t) => t.name, cell: (t) => t.name },
  {
    id: "state",
    header: "State",
    width: "120px",
    sortValue: (t) => t.state,
    cell: (t) => <StatusBadge state={t.state} />,
  },
  {
    id: "health",
    header: "Health",
    width: "80px",
    sortValue: (t) => (t.healthy === undefined ? 1 : t.healthy ? 0 : 2),
    cell: (t) => (t.healthy === undefined ? "—" : t.healthy ? "healthy" : "unhealthy"),
  },
  {
    id: "cpus",
    header: "CPUs",
    width: "70px",
    sortValue: (t) => t.resources.cpus,
    cell: (t) => t.resources.cpus,
  },
  {
    id: "mem",
    header: "Mem",
    width: "90px",
    sortValue: (t) => t.resources.mem,
    cell: (t) => formatMb(t.resources.mem),
  },
  {
    id: "agent",
    header: "Agent",
    width: "minmax(100px, 1fr)",
    sortValue: (t) => t.slave_id,
    cell: (t) => (
      <Link to={routes.agent(t.slave_id)} className="mono" title={t.slave_id}>
        {t.slave_id.slice(-8)}
      </Link>
    ),
  },
  {
    id: "updated",
    header: "Updated",
    width: "110px",
    sortValue: (t) => t.updatedAt,
    cell: (t) => (t.updatedAt ? ago(t.updatedAt) : "—"),
  },
];

/** Tasks in a virtualized table, sorted as asked (most recently updated first by default). */
export function TaskList({
  tasks,
  sort = { id: "updated", desc: true },
  onSort,
  height,
}: {
  tasks: readonly Task[];
  sort?: Sort;
  onSort?: (s: Sort) => void;
  height?: string;
}) {
  const { id: sortId, desc: sortDesc } = sort;
  const sorted = useMemo(
    () => sortRows(tasks, taskColumns, { id: sortId, desc: sortDesc }),
    [tasks, sortId, sortDesc],
  );
  if (tasks.length === 0) return <Empty>No tasks.</Empty>;
  return (
    <VirtualTable
      label="Tasks"
      rows={sorted}
      columns={taskColumns}
      rowKey={(t) => t.key}
      sort={sort}
      {...(onSort ? { onSort } : {})}
      rowTestId={testIds.taskRow}
      testId={testIds.taskTable}
      {...(height ? { height } : {})}
    />
  );
}
