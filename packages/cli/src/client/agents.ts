import { z } from "zod";
import { CliError } from "../errors.js";
import {
  type AgentJson,
  allTasks,
  byIdOrPrefix,
  type FrameworkJson,
  type MasterStateJson,
  masterState,
  scalar,
} from "./master-state.js";
import { age, type Colors, cut, megabytes, num, paintState, renderFields, renderTable } from "./table.js";
import { type VerbGroup, verb } from "./verbs.js";

const usedOf = (used: number, total: number, fmt: (n: number) => string) => `${fmt(used)}/${fmt(total)}`;

function findAgent(state: MasterStateJson, id: string): AgentJson {
  const found = byIdOrPrefix(state.slaves, id);
  if (found === "ambiguous")
    throw new CliError("USAGE", `agora: agent id '${id}' matches several agents; give more of it`);
  if (!found)
    throw new CliError("NOT_FOUND", `agora: no agent '${id}' is registered ('agora agent list' lists them)`);
  return found;
}

function agentRow(state: MasterStateJson, a: AgentJson) {
  return {
    id: a.id,
    hostname: a.hostname,
    port: a.port,
    active: a.active,
    version: a.version,
    registeredTime: a.registered_time,
    tasks: allTasks(state, { completed: false }).filter((t) => t.task.slave_id === a.id).length,
    attributes: a.attributes,
    resources: a.resources,
    usedResources: a.used_resources,
  };
}

const agentList = verb({
  summary: "List the registered agents with their resources used/total.",
  flags: {},
  options: {},
  async run(ctx) {
    const state = await masterState(ctx.http);
    const rows = state.slaves.map((a) => agentRow(state, a));
    const c = ctx.colors;
    ctx.print(rows, () =>
      renderTable(
        [
          { header: "ID", value: (r) => r.id },
          { header: "ADDRESS", value: (r) => `${r.hostname}:${r.port}` },
          { header: "ACTIVE", value: (r) => (r.active ? c.green("yes") : c.red("no")) },
          { header: "TASKS", value: (r) => String(r.tasks), right: true },
          {
            header: "CPUS",
            value: (r) => usedOf(scalar(r.usedResources, "cpus"), scalar(r.resources, "cpus"), num),
            right: true,
          },
          {
            header: "MEM",
            value: (r) => usedOf(scalar(r.usedResources, "mem"), scalar(r.resources, "mem"), megabytes),
            right: true,
          },
          {
            header: "DISK",
            value: (r) => usedOf(scalar(r.usedResources, "disk"), scalar(r.resources, "disk"), megabytes),
            right: true,
          },
          { header: "UP", value: (r) => age(r.registeredTime * 1000) },
        ],
        rows,
        c,
      ),
    );
  },
});

const agentShow = verb({
  summary: "Show one agent (an id or a unique prefix of one): resources, attributes, tasks.",
  usage: "ID",
  flags: {},
  options: {},
  async run(ctx, [id]) {
    const state = await masterState(ctx.http);
    const agent = findAgent(state, id!);
    const row = agentRow(state, agent);
    const tasks = allTasks(state, { completed: false }).filter((t) => t.task.slave_id === agent.id);
    const c = ctx.colors;
    const resources = (r: Record<string, number | string>) =>
      Object.entries(r)
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => `${k}:${typeof v === "number" ? num(v) : v}`)
        .join(" ");
    ctx.print({ ...row, tasks: tasks.map((t) => t.task) }, () => {
      const head = renderFields(
        [
          ["id", agent.id],
          ["address", `http://${agent.hostname}:${agent.port}`],
          ["active", agent.active ? c.green("yes") : c.red("no")],
          ["version", agent.version],
          ["registered", `${age(agent.registered_time * 1000)} ago`],
          ["resources", resources(agent.resources)],
          ["used", resources(agent.used_resources) || "nothing"],
          [
            "attributes",
            Object.keys(agent.attributes).length === 0
              ? undefined
              : Object.entries(agent.attributes)
                  .map(([k, v]) => `${k}:${v}`)
                  .join(";"),
          ],
        ],
        c,
      );
      if (tasks.length === 0) return `${head}\nno tasks\n`;
      return `${head}\n${renderTable(
        [
          { header: "TASK", value: (t) => t.task.id },
          { header: "FRAMEWORK", value: (t) => t.framework.name },
          { header: "STATE", value: (t) => paintState(t.task.state, c) },
        ],
        tasks,
        c,
      )}`;
    });
  },
});

export const agentVerbs: VerbGroup = {
  summary: "Agents of a running cluster (and `agora agent --nats URL` runs one).",
  verbs: { list: agentList, show: agentShow },
};

function frameworkRow(f: FrameworkJson, completed: boolean) {
  return {
    id: f.id,
    name: f.name,
    role: f.role,
    active: f.active,
    connected: f.connected,
    completed,
    webuiUrl: f.webui_url || undefined,
    registeredTime: f.registered_time,
    tasks: f.tasks.length + f.unreachable_tasks.length,
    usedResources: f.used_resources,
  };
}

const frameworkList = verb({
  summary: "List the frameworks (--all: torn-down ones too).",
  flags: { all: { type: "boolean", description: "include completed (torn-down) frameworks" } },
  options: { all: z.boolean().default(false) },
  async run(ctx, _args, o) {
    const state = await masterState(ctx.http);
    const rows = [
      ...state.frameworks.map((f) => frameworkRow(f, false)),
      ...(o.all ? state.completed_frameworks.map((f) => frameworkRow(f, true)) : []),
    ];
    const c = ctx.colors;
    ctx.print(rows, () =>
      renderTable(
        [
          { header: "ID", value: (r) => r.id },
          { header: "NAME", value: (r) => r.name },
          { header: "ROLE", value: (r) => r.role ?? "*" },
          { header: "STATE", value: (r) => frameworkState(r, c) },
          { header: "TASKS", value: (r) => String(r.tasks), right: true },
          { header: "CPUS", value: (r) => num(scalar(r.usedResources, "cpus")), right: true },
          { header: "MEM", value: (r) => megabytes(scalar(r.usedResources, "mem")), right: true },
          { header: "WEB UI", value: (r) => cut(r.webuiUrl ?? "", 40) },
        ],
        rows,
        c,
      ),
    );
  },
});

function frameworkState(r: { completed: boolean; connected: boolean; active: boolean }, c: Colors): string {
  if (r.completed) return c.dim("torn down");
  if (!r.connected) return c.yellow("disconnected");
  return r.active ? c.green("active") : c.yellow("inactive");
}

const frameworkTeardown = verb({
  summary: "Tear a framework down (Mesos' POST /teardown): its tasks are killed and it cannot come back.",
  usage: "ID",
  flags: {},
  options: {},
  async run(ctx, [id]) {
    const state = await masterState(ctx.http);
    const found = byIdOrPrefix(state.frameworks, id!);
    if (found === "ambiguous")
      throw new CliError("USAGE", `agora: framework id '${id}' matches several; give more of it`);
    if (!found)
      throw new CliError(
        "NOT_FOUND",
        `agora: no framework '${id}' is registered ('agora framework list' lists them)`,
      );
    await ctx.http.request("master", "/teardown", { method: "POST", form: { frameworkId: found.id } });
    ctx.print(
      { frameworkId: found.id, name: found.name, tornDown: true },
      () => `framework ${found.name} (${found.id}) torn down\n`,
    );
  },
});

export const frameworkVerbs: VerbGroup = {
  summary: "Frameworks registered with a running cluster.",
  verbs: { list: frameworkList, teardown: frameworkTeardown },
};
