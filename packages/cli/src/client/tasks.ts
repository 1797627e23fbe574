import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { CliError } from "../errors.js";
import { duration } from "../flags.js";
import type { HttpClient } from "./http.js";
import {
  allTasks,
  byIdOrPrefix,
  type FrameworkJson,
  lastChange,
  type MasterStateJson,
  masterState,
  scalar,
  type TaskJson,
} from "./master-state.js";
import { age, megabytes, num, paintState, renderFields, renderTable } from "./table.js";
import { type VerbContext, type VerbGroup, verb } from "./verbs.js";

const TERMINAL = new Set([
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_LOST",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);

interface Found {
  task: TaskJson;
  framework: FrameworkJson;
  active: boolean;
}

function findTask(state: MasterStateJson, id: string): Found {
  const tasks = allTasks(state, { completed: true });
  // A task id may be reused after it ended: the active one wins, then the newest.
  const exact = tasks.filter((t) => t.task.id === id);
  if (exact.length > 0) return exact.find((t) => t.active) ?? exact[exact.length - 1]!;
  const found = byIdOrPrefix(
    tasks.map((t) => ({ ...t, id: t.task.id })),
    id,
  );
  if (found === "ambiguous")
    throw new CliError("USAGE", `agora: task id '${id}' matches several tasks; give more of it`);
  if (!found)
    throw new CliError(
      "NOT_FOUND",
      `agora: the master knows no task '${id}' ('agora task list --all' lists them)`,
    );
  return found;
}

function taskRow({ task, framework }: Found, agents: Map<string, string>) {
  const last = task.statuses[task.statuses.length - 1];
  return {
    id: task.id,
    name: task.name,
    frameworkId: framework.id,
    framework: framework.name,
    agentId: task.slave_id,
    host: agents.get(task.slave_id),
    state: task.state,
    healthy: last?.healthy,
    cpus: scalar(task.resources, "cpus"),
    mem: scalar(task.resources, "mem"),
    updated: lastChange(task),
    ...(last?.message ? { message: last.message } : {}),
  };
}

const agentHosts = (state: MasterStateJson) => new Map(state.slaves.map((a) => [a.id, a.hostname] as const));

const taskList = verb({
  summary: "List running tasks (--all: finished ones too; --framework ID or name: one framework's).",
  flags: {
    all: { type: "boolean", description: "include tasks that have ended" },
    framework: {
      type: "string",
      description: "only this framework's tasks (its id, a prefix of it, or its name)",
    },
  },
  options: { all: z.boolean().default(false), framework: z.string().min(1).optional() },
  async run(ctx, _args, o) {
    const state = await masterState(ctx.http);
    const hosts = agentHosts(state);
    const rows = allTasks(state, { completed: o.all })
      .filter(
        (t) =>
          o.framework === undefined ||
          t.framework.id.startsWith(o.framework) ||
          t.framework.name === o.framework,
      )
      .map((t) => taskRow(t, hosts));
    const c = ctx.colors;
    ctx.print(rows, () =>
      rows.length === 0
        ? `no ${o.all ? "" : "running "}tasks${o.framework ? ` of framework ${o.framework}` : ""}\n`
        : renderTable(
            [
              { header: "ID", value: (r) => r.id },
              { header: "FRAMEWORK", value: (r) => r.framework },
              { header: "HOST", value: (r) => r.host ?? r.agentId },
              {
                header: "STATE",
                value: (r) =>
                  paintState(r.state, c) +
                  (r.healthy === undefined ? "" : r.healthy ? c.green(" healthy") : c.red(" unhealthy")),
              },
              { header: "CPUS", value: (r) => num(r.cpus), right: true },
              { header: "MEM", value: (r) => megabytes(r.mem), right: true },
              { header: "SINCE", value: (r) => (r.updated === undefined ? "" : age(r.updated)) },
            ],
            rows,
            c,
          ),
    );
  },
});

const taskShow = verb({
  summary: "Show one task: state, agent, resources, status history, sandbox.",
  usage: "ID",
  flags: {},
  options: {},
  async run(ctx, [id]) {
    const state = await masterState(ctx.http);
    const found = findTask(state, id!);
    const row = taskRow(found, agentHosts(state));
    const sandbox = await sandboxOf(ctx.http, found.task).catch(() => undefined);
    const c = ctx.colors;
    const { task } = found;
    ctx.print({ ...row, sandbox, resources: task.resources, statuses: task.statuses }, () => {
      const head = renderFields(
        [
          ["id", task.id],
          ["name", task.name],
          ["framework", `${found.framework.name} (${found.framework.id})`],
          ["agent", `${row.host ?? "?"} (${task.slave_id})`],
          ["state", paintState(task.state, c)],
          ["healthy", row.healthy === undefined ? undefined : String(row.healthy)],
          ["message", row.message],
          [
            "resources",
            Object.entries(task.resources)
              .filter(([, v]) => v !== 0)
              .map(([k, v]) => `${k}:${typeof v === "number" ? num(v) : v}`)
              .join(" "),
          ],
          ["sandbox", sandbox],
        ],
        c,
      );
      return `${head}\n${renderTable(
        [
          { header: "TIME", value: (s) => new Date(s.timestamp * 1000).toISOString() },
          { header: "STATE", value: (s) => paintState(s.state, c) },
          { header: "REASON", value: (s) => s.reason ?? "" },
          { header: "MESSAGE", value: (s) => s.message ?? "" },
        ],
        task.statuses,
        c,
      )}`;
    });
  },
});

/** The agent's `/state` as far as sandboxes go: each task's executor and its directory. */
const AgentSandboxes = z.looseObject({
  frameworks: z.array(
    z.looseObject({ executors: z.array(z.looseObject({ id: z.string(), directory: z.string() })) }),
  ),
  completed_frameworks: z
    .array(z.looseObject({ executors: z.array(z.looseObject({ id: z.string(), directory: z.string() })) }))
    .default([]),
});

/** The task's sandbox directory, from its agent's `/state` read through the master. */
async function sandboxOf(http: HttpClient, task: TaskJson): Promise<string> {
  const state = await http.get(
    "master",
    `/agents/${encodeURIComponent(task.slave_id)}/state`,
    AgentSandboxes,
  );
  for (const f of [...state.frameworks, ...state.completed_frameworks])
    for (const e of f.executors) if (e.id === task.id) return e.directory;
  throw new CliError(
    "NOT_FOUND",
    `agora: agent ${task.slave_id} has no sandbox for task ${task.id} (any more)`,
  );
}

const FileRead = z.object({ data: z.string(), offset: z.number() });
const CHUNK = 64 * 1024;

const taskLog = verb({
  summary:
    "Print a task's stdout (--stderr: its stderr) from its sandbox; --follow prints lines as they come.",
  usage: "ID",
  flags: {
    stderr: { type: "boolean", description: "the task's stderr instead of its stdout" },
    follow: {
      type: "boolean",
      description: "keep printing what the task writes until it ends (or Ctrl-C)",
    },
    "poll-interval": { type: "string", description: "how often --follow reads the file (default 500ms)" },
  },
  options: {
    stderr: z.boolean().default(false),
    follow: z.boolean().default(false),
    pollInterval: duration.default(500),
  },
  async run(ctx, [id], o) {
    let state = await masterState(ctx.http);
    const { task } = findTask(state, id!);
    const file = o.stderr ? "stderr" : "stdout";
    const sandbox = await waitFor(ctx, o.follow, o.pollInterval, () => sandboxOf(ctx.http, task));
    if (sandbox === undefined) return;
    const path = `${sandbox}/${file}`;
    const read = async (offset: number) =>
      (
        await ctx.http.request(
          "master",
          `/agents/${encodeURIComponent(task.slave_id)}/files/read?path=${encodeURIComponent(path)}&offset=${offset}&length=${CHUNK}`,
          { schema: FileRead },
        )
      ).body;
    let offset = 0;
    let ended = !o.follow || TERMINAL.has(task.state);
    let lastStateCheck = Date.now();
    for (;;) {
      const piece = await waitFor(ctx, o.follow, o.pollInterval, () => read(offset));
      if (piece === undefined) return;
      if (piece.data.length > 0) {
        ctx.stdout.write(piece.data);
        offset = piece.offset + Buffer.byteLength(piece.data, "utf8");
        continue;
      }
      // At the end of the file: done, unless following a task that still runs.
      if (ended) return;
      if (Date.now() - lastStateCheck >= 2 * o.pollInterval) {
        lastStateCheck = Date.now();
        state = await masterState(ctx.http);
        const now = allTasks(state, { completed: true }).find((t) => t.task.id === task.id);
        // One more read after the task ended picks up its last words.
        if (!now || TERMINAL.has(now.task.state)) ended = true;
      }
      if (!(await pause(ctx, o.pollInterval))) return;
    }
  },
});

/** Sleeps, or returns false at once when Ctrl-C aborted the verb. */
async function pause(ctx: VerbContext, ms: number): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: ctx.signal });
    return true;
  } catch {
    return false;
  }
}

/** `get()`; when following, a not-yet-there sandbox or file is waited for; undefined on Ctrl-C. */
async function waitFor<T>(
  ctx: VerbContext,
  follow: boolean,
  ms: number,
  get: () => Promise<T>,
): Promise<T | undefined> {
  for (;;) {
    try {
      return await get();
    } catch (e) {
      if (!follow || !(e instanceof CliError) || e.code !== "NOT_FOUND") throw e;
    }
    if (!(await pause(ctx, ms))) return undefined;
  }
}

const taskKill = verb({
  summary:
    "Kill a task through the framework that owns it: Marathon (which starts a replacement unless --scale) or Chronos (the job's running tasks).",
  usage: "ID",
  flags: {
    scale: { type: "boolean", description: "Marathon: scale the app down instead of replacing the task" },
  },
  options: { scale: z.boolean().default(false) },
  async run(ctx, [id], o) {
    const state = await masterState(ctx.http);
    const { task, framework, active } = findTask(state, id!);
    if (!active)
      throw new CliError("REQUEST_FAILED", `agora: task ${task.id} has already ended (${task.state})`);
    if (framework.name === "marathon") {
      await ctx.http.request("marathon", `/v2/tasks/delete${o.scale ? "?scale=true" : ""}`, {
        method: "POST",
        json: { ids: [task.id] },
      });
      ctx.print(
        { taskId: task.id, framework: framework.name, killed: true },
        () => `asked Marathon to kill ${task.id}\n`,
      );
      return;
    }
    if (framework.name === "chronos") {
      const job = task.id.split(":")[3];
      if (!job)
        throw new CliError(
          "REQUEST_FAILED",
          `agora: ${task.id} is not a Chronos task id (ct:<due>:<attempt>:<job>:<run>)`,
        );
      await ctx.http.request("chronos", `/v1/scheduler/task/kill/${encodeURIComponent(job)}`, {
        method: "DELETE",
      });
      ctx.print(
        { taskId: task.id, framework: framework.name, job, killed: true },
        () => `asked Chronos to kill the running tasks of job ${job}\n`,
      );
      return;
    }
    throw new CliError(
      "REQUEST_FAILED",
      `agora: task ${task.id} belongs to framework '${framework.name}', and only the framework that launched a task may kill it: use its own API, or 'agora framework teardown ${framework.id}' to end all its tasks`,
    );
  },
});

export const taskVerbs: VerbGroup = {
  summary: "Tasks of a running cluster.",
  verbs: { list: taskList, show: taskShow, log: taskLog, kill: taskKill },
};
