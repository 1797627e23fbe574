import { scalarOf } from "@agora/protocol";
import type { Authorization } from "@agora/security";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Gauge, Registry } from "prom-client";
import type { AgentView, TaskView } from "../agent-view.js";
import { containerViewer } from "./authorize.js";

/** One task's entry of `GET /monitor/statistics`, in the Mesos agent's shape. */
export interface TaskStatistics {
  executor_id: string;
  executor_name: string;
  framework_id: string;
  source: string;
  statistics: {
    timestamp: number;
    cpus_limit: number;
    cpus_user_time_secs?: number;
    cpus_system_time_secs?: number;
    mem_limit_bytes: number;
    mem_rss_bytes?: number;
  };
}

/** Each task's usage, those `shown` leaves out (`view_containers`) left out. */
export async function taskStatistics(
  agent: AgentView,
  shown: (task: TaskView) => boolean = () => true,
): Promise<TaskStatistics[]> {
  const rows = (await agent.taskUsage()).filter(({ task }) => shown(task));
  const timestamp = Date.now() / 1000;
  return rows.map(({ task, usage }) => ({
    executor_id: task.task.taskId,
    executor_name: `Command Executor (Task: ${task.task.taskId}) (Command: ${task.executor})`,
    framework_id: task.frameworkId,
    source: task.task.taskId,
    statistics: {
      timestamp,
      cpus_limit: scalarOf(task.task.resources, "cpus"),
      mem_limit_bytes: Math.round(scalarOf(task.task.resources, "mem") * 1024 * 1024),
      ...(usage
        ? {
            cpus_user_time_secs: usage.cpuUserSeconds,
            cpus_system_time_secs: usage.cpuSystemSeconds,
            mem_rss_bytes: usage.memBytes,
          }
        : {}),
    },
  }));
}

/**
 * `GET /monitor/statistics` (Mesos' per-executor resource usage, one executor per task) and
 * `GET /metrics`, the same numbers as Prometheus gauges labelled by framework and task. Each only for
 * principals the ACLs allow `get_endpoints` on its path (Mesos guards `/monitor/statistics` so; the
 * Prometheus text shows the same numbers, so it is guarded too, under its own path). The statistics
 * list only the tasks whose containers the principal may view (`view_containers`, as Mesos' agent).
 */
export async function monitorRoutes(
  app: FastifyInstance,
  {
    agent,
    registry = new Registry(),
    authorization,
  }: { agent: AgentView; registry?: Registry; authorization?: Authorization | undefined },
): Promise<void> {
  const authorize = (request: FastifyRequest, path: string) =>
    authorization?.check("get_endpoints", request.principal, path);
  app.get("/monitor/statistics", async (request) => {
    authorize(request, "/monitor/statistics");
    return taskStatistics(agent, containerViewer(agent, authorization, request.principal).task);
  });

  const labelNames = ["framework_id", "task_id", "executor"] as const;
  const gauges = {
    cpuUser: new Gauge({
      name: "agora_task_cpu_user_seconds",
      help: "cpu time in user mode",
      labelNames,
      registers: [registry],
    }),
    cpuSystem: new Gauge({
      name: "agora_task_cpu_system_seconds",
      help: "cpu time in kernel mode",
      labelNames,
      registers: [registry],
    }),
    cpuLimit: new Gauge({
      name: "agora_task_cpus_limit",
      help: "cpus the task was given",
      labelNames,
      registers: [registry],
    }),
    mem: new Gauge({
      name: "agora_task_mem_bytes",
      help: "memory the task holds",
      labelNames,
      registers: [registry],
    }),
    memLimit: new Gauge({
      name: "agora_task_mem_limit_bytes",
      help: "the task's memory limit",
      labelNames,
      registers: [registry],
    }),
  };
  app.get("/metrics", async (request, reply) => {
    authorize(request, "/metrics");
    for (const g of Object.values(gauges)) g.reset();
    for (const { task, usage } of await agent.taskUsage()) {
      const labels = { framework_id: task.frameworkId, task_id: task.task.taskId, executor: task.executor };
      gauges.cpuLimit.set(labels, scalarOf(task.task.resources, "cpus"));
      gauges.memLimit.set(labels, scalarOf(task.task.resources, "mem") * 1024 * 1024);
      if (!usage) continue;
      gauges.cpuUser.set(labels, usage.cpuUserSeconds);
      gauges.cpuSystem.set(labels, usage.cpuSystemSeconds);
      gauges.mem.set(labels, usage.memBytes);
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
