import { z } from "zod";
import { masterState, scalar } from "./master-state.js";
import { age, megabytes, num, paintState, renderFields } from "./table.js";
import { verb } from "./verbs.js";

/** `/metrics/snapshot`: Mesos' flat `{key: number}` object. */
const MetricsSnapshot = z.record(z.string(), z.number());

/** The summary `agora status` prints and `--json` writes. */
export interface ClusterStatus {
  master: string;
  leader: string | undefined;
  version: string;
  cluster: string | undefined;
  uptimeSeconds: number;
  agents: { active: number; inactive: number; unreachable: number };
  frameworks: { id: string; name: string; active: boolean; connected: boolean }[];
  /** Current tasks by state, and terminal ones counted since the master started. */
  tasks: Record<string, number>;
  resources: Record<"cpus" | "mem" | "disk" | "gpus", { used: number; total: number }>;
}

/**
 * `agora status`: the leader, version, agents, frameworks, tasks by state and resources used of
 * total, from `/master/state` and `/metrics/snapshot`.
 */
export const statusVerb = verb({
  summary: "Show the cluster: leader, version, agents, frameworks, tasks by state, resources used/total.",
  flags: {},
  options: {},
  async run(ctx) {
    const [state, metrics] = await Promise.all([
      masterState(ctx.http),
      ctx.http.get("master", "/metrics/snapshot", MetricsSnapshot),
    ]);
    const tasks: Record<string, number> = {};
    for (const [key, value] of Object.entries(metrics)) {
      const m = /^master\/tasks_([a-z_]+)$/.exec(key);
      if (m && value > 0) tasks[`TASK_${m[1]!.toUpperCase()}`] = value;
    }
    const resource = (name: string) => ({
      used:
        metrics[`master/${name}_used`] ??
        state.slaves.reduce((s, a) => s + scalar(a.used_resources, name), 0),
      total:
        metrics[`master/${name}_total`] ?? state.slaves.reduce((s, a) => s + scalar(a.resources, name), 0),
    });
    const status: ClusterStatus = {
      master: ctx.http.endpoints.master,
      leader: state.leader_info ? `${state.leader_info.hostname}:${state.leader_info.port}` : undefined,
      version: state.version,
      cluster: state.cluster,
      uptimeSeconds: metrics["master/uptime_secs"] ?? 0,
      agents: {
        active: state.slaves.filter((a) => a.active).length,
        inactive: state.slaves.filter((a) => !a.active).length,
        unreachable: state.unreachable_slaves,
      },
      frameworks: state.frameworks.map((f) => ({
        id: f.id,
        name: f.name,
        active: f.active,
        connected: f.connected,
      })),
      tasks,
      resources: {
        cpus: resource("cpus"),
        mem: resource("mem"),
        disk: resource("disk"),
        gpus: resource("gpus"),
      },
    };
    const c = ctx.colors;
    const pct = (r: { used: number; total: number }) =>
      r.total > 0 ? ` (${Math.round((r.used / r.total) * 100)}%)` : "";
    ctx.print(status, () =>
      renderFields(
        [
          ["master", `${status.master}${status.leader ? ` (leader ${status.leader})` : ""}`],
          ["version", status.version],
          ["cluster", status.cluster],
          ["up", age(Date.now() - status.uptimeSeconds * 1000)],
          [
            "agents",
            `${status.agents.active} active${status.agents.inactive ? `, ${status.agents.inactive} inactive` : ""}${
              status.agents.unreachable ? `, ${c.red(`${status.agents.unreachable} unreachable`)}` : ""
            }`,
          ],
          [
            "frameworks",
            status.frameworks.length === 0
              ? "none"
              : status.frameworks
                  .map((f) => (f.connected ? f.name : `${f.name} ${c.yellow("(disconnected)")}`))
                  .join(", "),
          ],
          [
            "tasks",
            Object.keys(tasks).length === 0
              ? "none"
              : Object.entries(tasks)
                  .map(([s, n]) => `${n} ${paintState(s, c)}`)
                  .join(", "),
          ],
          [
            "cpus",
            `${num(status.resources.cpus.used)} of ${num(status.resources.cpus.total)}${pct(status.resources.cpus)}`,
          ],
          [
            "mem",
            `${megabytes(status.resources.mem.used)} of ${megabytes(status.resources.mem.total)}${pct(status.resources.mem)}`,
          ],
          [
            "disk",
            `${megabytes(status.resources.disk.used)} of ${megabytes(status.resources.disk.total)}${pct(status.resources.disk)}`,
          ],
          ...(status.resources.gpus.total > 0
            ? ([
                ["gpus", `${num(status.resources.gpus.used)} of ${num(status.resources.gpus.total)}`],
              ] as const)
            : []),
        ],
        c,
      ),
    );
  },
});
