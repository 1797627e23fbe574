import { Link } from "react-router";
import { useMasterState } from "../../api/queries";
import type { Framework } from "../../api/schemas";
import { ago, formatMb } from "../../components/format";
import { Empty, QueryView } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { useUrlState } from "../../components/url-state";
import { type Column, parseSort, sortRows, VirtualTable } from "../../components/VirtualTable";
import { routes } from "../../routes";

export const frameworkColumns: Column<Framework>[] = [
  {
    id: "name",
    header: "Name",
    width: "minmax(140px, 2fr)",
    sortValue: (f) => f.name,
    cell: (f) => <Link to={routes.framework(f.id)}>{f.name}</Link>,
  },
  {
    id: "state",
    header: "State",
    width: "120px",
    sortValue: (f) => (f.connected ? 0 : 1),
    cell: (f) => (
      <StatusBadge state={f.unregistered_time ? "inactive" : f.connected ? "connected" : "disconnected"} />
    ),
  },
  {
    id: "roles",
    header: "Roles",
    width: "minmax(100px, 1fr)",
    cell: (f) => (f.roles.length ? f.roles : [f.role]).join(", "),
  },
  { id: "principal", header: "Principal", width: "100px", cell: (f) => f.principal ?? "—" },
  {
    id: "tasks",
    header: "Tasks",
    width: "70px",
    sortValue: (f) => f.tasks.length,
    cell: (f) => f.tasks.length,
  },
  {
    id: "cpus",
    header: "CPUs",
    width: "70px",
    sortValue: (f) => f.used_resources.cpus,
    cell: (f) => f.used_resources.cpus,
  },
  {
    id: "mem",
    header: "Mem",
    width: "90px",
    sortValue: (f) => f.used_resources.mem,
    cell: (f) => formatMb(f.used_resources.mem),
  },
  {
    id: "offers",
    header: "Offers",
    width: "70px",
    sortValue: (f) => f.offers.length,
    cell: (f) => f.offers.length,
  },
  {
    id: "share",
    header: "Dom. share",
    // Room for the header and its sort arrow.
    width: "120px",
    sortValue: (f) => f.dominant_share,
    cell: (f) => `${(f.dominant_share * 100).toFixed(1)}%`,
  },
  {
    id: "registered",
    header: "Registered",
    width: "110px",
    sortValue: (f) => f.registered_time,
    cell: (f) => ago(f.registered_time),
  },
  {
    id: "ui",
    header: "UI",
    width: "80px",
    cell: (f) => (f.webui_url ? <a href={`/service/${encodeURIComponent(f.name)}/`}>open</a> : "—"),
  },
];

export function FrameworksPage() {
  const query = useMasterState();
  const url = useUrlState();
  const sort = parseSort(url.get("sort"), { id: "name", desc: false });
  const showCompleted = url.get("completed") === "1";
  return (
    <div className="page">
      <h1>Frameworks</h1>
      <div className="toolbar">
        <label>
          <input
            type="checkbox"
            checked={showCompleted}
            onChange={(e) => url.set("completed", e.target.checked ? "1" : "")}
          />{" "}
          Show completed frameworks
        </label>
      </div>
      <QueryView query={query} what="frameworks">
        {(s) => {
          const rows = showCompleted ? [...s.frameworks, ...s.completed_frameworks] : s.frameworks;
          if (rows.length === 0) return <Empty>No framework is registered.</Empty>;
          return (
            <VirtualTable
              label="Frameworks"
              rows={sortRows(rows, frameworkColumns, sort)}
              columns={frameworkColumns}
              rowKey={(f) => f.id}
              sort={sort}
              onSort={(n) => url.set("sort", `${n.desc ? "-" : ""}${n.id}`)}
              height="calc(100vh - 220px)"
            />
          );
        }}
      </QueryView>
    </div>
  );
}
