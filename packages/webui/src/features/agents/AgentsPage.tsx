import { Link } from "react-router";
import { useMasterState } from "../../api/queries";
import type { Agent } from "../../api/schemas";
import { Bar } from "../../components/Bar";
import { ago } from "../../components/format";
import { Empty, QueryView } from "../../components/States";
import { StatusBadge } from "../../components/StatusBadge";
import { useUrlState } from "../../components/url-state";
import { type Column, parseSort, sortRows, VirtualTable } from "../../components/VirtualTable";
import { routes } from "../../routes";
import { testIds } from "../../testids";

const columns: Column<Agent>[] = [
  {
    id: "hostname",
    header: "Agent",
    width: "minmax(160px, 2fr)",
    sortValue: (a) => a.hostname,
    cell: (a) => (
      <Link to={routes.agent(a.id)} title={a.id}>
        {a.hostname}:{a.port}
      </Link>
    ),
  },
  {
    id: "state",
    header: "State",
    width: "100px",
    sortValue: (a) => (a.active ? 0 : 1),
    cell: (a) => <StatusBadge state={a.active ? "active" : "inactive"} />,
  },
  {
    id: "cpus",
    header: "CPUs",
    width: "minmax(140px, 1.5fr)",
    sortValue: (a) => a.used_resources.cpus / (a.resources.cpus || 1),
    cell: (a) => <Bar name="cpus" used={a.used_resources.cpus} total={a.resources.cpus} />,
  },
  {
    id: "mem",
    header: "Memory",
    width: "minmax(160px, 1.5fr)",
    sortValue: (a) => a.used_resources.mem / (a.resources.mem || 1),
    cell: (a) => <Bar name="mem" used={a.used_resources.mem} total={a.resources.mem} />,
  },
  {
    id: "disk",
    header: "Disk",
    width: "minmax(160px, 1.5fr)",
    sortValue: (a) => a.used_resources.disk / (a.resources.disk || 1),
    cell: (a) => <Bar name="disk" used={a.used_resources.disk} total={a.resources.disk} />,
  },
  {
    id: "attributes",
    header: "Attributes",
    width: "minmax(120px, 1fr)",
    cell: (a) =>
      Object.entries(a.attributes)
        .map(([k, v]) => `${k}:${v}`)
        .join("; ") || "—",
  },
  {
    id: "reserved",
    header: "Reservations",
    width: "minmax(100px, 1fr)",
    cell: (a) => Object.keys(a.reserved_resources).join(", ") || "—",
  },
  {
    id: "registered",
    header: "Registered",
    width: "110px",
    sortValue: (a) => a.registered_time,
    cell: (a) => ago(a.registered_time),
  },
];

export function AgentsPage() {
  const query = useMasterState();
  const url = useUrlState();
  const filter = url.get("q");
  const sort = parseSort(url.get("sort"), { id: "hostname", desc: false });
  return (
    <div className="page">
      <h1>Agents</h1>
      <div className="toolbar">
        <label>
          Filter{" "}
          <input
            type="search"
            value={filter}
            placeholder="hostname, id or attribute"
            onChange={(e) => url.set("q", e.target.value)}
          />
        </label>
      </div>
      <QueryView query={query} what="agents">
        {(s) => {
          const f = filter.toLowerCase();
          const rows = s.slaves.filter(
            (a) =>
              !f ||
              a.hostname.toLowerCase().includes(f) ||
              a.id.toLowerCase().includes(f) ||
              Object.entries(a.attributes).some(([k, v]) => `${k}:${v}`.toLowerCase().includes(f)),
          );
          if (s.slaves.length === 0) return <Empty>No agent has registered yet.</Empty>;
          if (rows.length === 0) return <Empty>No agent matches “{filter}”.</Empty>;
          return (
            <VirtualTable
              label="Agents"
              rows={sortRows(rows, columns, sort)}
              columns={columns}
              rowKey={(a) => a.id}
              sort={sort}
              onSort={(next) => url.set("sort", `${next.desc ? "-" : ""}${next.id}`)}
              rowTestId={testIds.agentRow}
              rowHeight={44}
            />
          );
        }}
      </QueryView>
    </div>
  );
}
