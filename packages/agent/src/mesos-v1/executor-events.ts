import type {
  AgentId,
  Attribute,
  ExecutorInfo,
  FrameworkId,
  FrameworkInfo,
  Resource,
  TaskInfo,
} from "@agora/protocol";
import {
  toMesosAttribute,
  toMesosDuration,
  toMesosExecutorInfo,
  toMesosFrameworkInfo,
  toMesosResources,
  toMesosTaskInfo,
} from "@agora/protocol/mesos-v1";

/** What SUBSCRIBED tells an executor about the agent it runs on (Mesos' `AgentInfo`). */
export interface AgentFacts {
  readonly id: AgentId;
  readonly hostname: string;
  readonly port: number;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
}

export function toMesosAgentInfo(a: AgentFacts): Record<string, unknown> {
  return {
    id: { value: a.id },
    hostname: a.hostname,
    port: a.port,
    resources: toMesosResources(a.resources),
    attributes: a.attributes.map(toMesosAttribute),
  };
}

/**
 * Mesos' `executor::Event`s, the JSON an executor reads from its SUBSCRIBE stream (see
 * include/mesos/v1/executor/executor.proto). LAUNCH_GROUP is never sent: Agora runs no DEFAULT executor.
 */
export const executorEvents = {
  subscribed(input: {
    executor: ExecutorInfo;
    frameworkId: FrameworkId;
    framework: FrameworkInfo;
    agent: AgentFacts;
    containerId: string;
  }) {
    return {
      type: "SUBSCRIBED",
      subscribed: {
        executor_info: toMesosExecutorInfo(input.executor, input.frameworkId),
        framework_info: toMesosFrameworkInfo(input.framework, input.frameworkId),
        agent_info: toMesosAgentInfo(input.agent),
        container_id: { value: input.containerId },
      },
    };
  },
  launch(task: TaskInfo, frameworkId: FrameworkId) {
    return { type: "LAUNCH", launch: { task: toMesosTaskInfo(task, frameworkId) } };
  },
  kill(taskId: string, gracePeriodSeconds: number | undefined) {
    return {
      type: "KILL",
      kill: {
        task_id: { value: taskId },
        ...(gracePeriodSeconds === undefined
          ? {}
          : { kill_policy: { grace_period: toMesosDuration(gracePeriodSeconds) } }),
      },
    };
  },
  acknowledged(taskId: string, uuid: string) {
    return { type: "ACKNOWLEDGED", acknowledged: { task_id: { value: taskId }, uuid } };
  },
  /** `text` is our message (UTF-8 text); Mesos' `data` is bytes, base64 in JSON. */
  message(text: string) {
    return { type: "MESSAGE", message: { data: Buffer.from(text, "utf8").toString("base64") } };
  },
  shutdown() {
    return { type: "SHUTDOWN" };
  },
  error(message: string) {
    return { type: "ERROR", error: { message } };
  },
  heartbeat() {
    return { type: "HEARTBEAT" };
  },
};

/** RecordIO framing: the JSON's byte length, a newline, the JSON. */
export function recordIo(message: unknown): string {
  const json = JSON.stringify(message);
  return `${Buffer.byteLength(json)}\n${json}`;
}
