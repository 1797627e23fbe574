import { Link } from "react-router";
import { useMasterState, useRecentEvents, useUsage } from "../../api/queries";
import type { ClusterEvent, Usage } from "../../api/schemas";
import { ago, dateTime, duration, formatResource, stateLabel } from "../../components/format";
import { QueryView } from "../../components/States";
import { UsageChart } from "../../components/UsageChart";
import { routes } from "../../routes";
import { testIds } from "../../testids";
import { RESOURCE_NAMES, resourceSummary, tasksByState } from "./summary";

export function OverviewPage() {
  const state = useMasterState();
  const usage = useUsage();
  const events = useRecentEvents();
  return (
    <div className="page">
      <h1>Overview</h1>
      <QueryView query={usage} what="cluster usage">
        {(u) => <Resources usage={u} />}
      </QueryView>
      <QueryView query={state} what="cluster state">
        {(s) => (
          <div className="grid-3">
            <section className="card" aria-labelledby="master-h">
              <h2 id="master-h">Master</h2>
              <dl className="facts">
                <dt>Cluster</dt>
                <dd>{s.cluster || "—"}</dd>
                <dt>Leader</dt>
                <dd>{s.leader_info ? `${s.leader_info.hostname}:${s.leader_info.port}` : s.hostname}</dd>
                <dt>Version</dt>
                <dd>{s.version}</dd>
                <dt>Started</dt>
                <dd title={dateTime(s.start_time)}>{ago(s.start_time)}</dd>
                <dt>Elected</dt>
                <dd>{s.elected_time ? dateTime(s.elected_time) : "—"}</dd>
                <dt>Uptime</dt>
                <dd>{duration(Date.now() / 1000 - s.start_time)}</dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="agents-h">
              <h2 id="agents-h">
                <Link to={routes.agents()}>Agents</Link>
              </h2>
              <dl className="facts">
                <dt>Activated</dt>
                <dd data-testid="agents-active">{s.activated_slaves}</dd>
                <dt>Deactivated</dt>
                <dd>{s.deactivated_slaves}</dd>
                <dt>Unreachable</dt>
                <dd>{s.unreachable_slaves}</dd>
              </dl>
              <h2 className="subsequent">
                <Link to={routes.frameworks()}>Frameworks</Link>
              </h2>
              <dl className="facts">
                <dt>Active</dt>
                <dd>{s.frameworks.filter((f) => f.active).length}</dd>
                <dt>Completed</dt>
                <dd>{s.completed_frameworks.length}</dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="tasks-h">
              <h2 id="tasks-h">
                <Link to={routes.tasks()}>Tasks</Link>
              </h2>
              <dl className="facts">
                {tasksByState(s).map(([st, n]) => (
                  <div key={st} className="fact-row">
                    <dt>
                      <Link to={routes.tasks({ state: st })}>{stateLabel(st)}</Link>
                    </dt>
                    <dd>{n}</dd>
                  </div>
                ))}
              </dl>
            </section>
          </div>
        )}
      </QueryView>
      <section className="card" aria-labelledby="events-h" data-testid={testIds.recentEvents}>
        <h2 id="events-h">Recent events</h2>
        <QueryView query={events} what="recent events">
          {(e) =>
            e.events.length === 0 ? (
              <p className="state-empty">No changes yet.</p>
            ) : (
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable list must be reachable by keyboard to scroll it
              <ol className="events" tabIndex={0} aria-label="Recent cluster events">
                {[...e.events].reverse().map((ev) => (
                  <li key={ev.id}>
                    <time>{new Date(ev.at).toLocaleTimeString(undefined, { hour12: false })}</time>{" "}
                    {describe(ev)}
                  </li>
                ))}
              </ol>
            )
          }
        </QueryView>
      </section>
    </div>
  );
}

function Resources({ usage }: { usage: Usage }) {
  const samples = usage.samples.length ? usage.samples : [usage.current];
  return (
    <div className="grid-4">
      {RESOURCE_NAMES.map((name) => {
        const r = resourceSummary(usage.current, name);
        return (
          <section
            key={name}
            className="card"
            aria-labelledby={`res-${name}`}
            data-testid={testIds.resourceCard(name)}
          >
            <h2 id={`res-${name}`}>{name}</h2>
            <dl className="facts facts-inline">
              <dt>Total</dt>
              <dd>{formatResource(name, r.total)}</dd>
              <dt>Allocated</dt>
              <dd>{formatResource(name, r.allocated)}</dd>
              <dt>Offered</dt>
              <dd>{formatResource(name, r.offered)}</dd>
              <dt>Idle</dt>
              <dd>{formatResource(name, r.idle)}</dd>
            </dl>
            <UsageChart name={name} samples={samples} testId={testIds.usageChart(name)} />
          </section>
        );
      })}
    </div>
  );
}

function describe(e: ClusterEvent): string {
  const data = (e.data ?? {}) as { state?: string; name?: string; hostname?: string };
  if (e.kind === "task") {
    const id = e.key.split("/").pop();
    if (e.op === "removed") return `task ${id} forgotten`;
    return `task ${id}: ${data.state ? stateLabel(data.state) : e.op}`;
  }
  const what =
    e.kind === "agent"
      ? `agent ${data.hostname ?? e.key}`
      : e.kind === "framework"
        ? `framework ${data.name ?? e.key}`
        : `${e.kind} ${e.key}`;
  return `${what} ${e.op}`;
}
