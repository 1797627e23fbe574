import type { TaskState } from "@agora/protocol";
import type { AppDefinition, HealthCheckDefinition } from "./model/app-definition.js";
import type { DeploymentPlan, DeploymentStep } from "./model/deployment.js";

/**
 * Marathon's event bus events, in Marathon's JSON shape (`eventType` and `timestamp` on each), as
 * `/v2/events` streams them. Only the types Agora emits are listed.
 */
export type MarathonEvent = { timestamp: string } & (
  | { eventType: "api_post_event"; clientIp: string; uri: string; appDefinition: AppDefinition }
  | {
      eventType: "scheduler_registered_event" | "scheduler_reregistered_event";
      frameworkId: string;
      master: string;
    }
  | { eventType: "scheduler_disconnected_event"; message: string }
  | { eventType: "group_change_success"; groupId: string; version: string }
  | { eventType: "group_change_failed"; groupId: string; version: string; reason: string }
  | { eventType: "deployment_info"; plan: DeploymentPlan; currentStep: DeploymentStep }
  | {
      eventType: "deployment_success" | "deployment_failed";
      id: string;
      plan: DeploymentPlan;
      reason?: string;
    }
  | {
      eventType: "deployment_step_success" | "deployment_step_failure";
      plan: DeploymentPlan;
      currentStep: DeploymentStep;
    }
  | {
      eventType: "status_update_event";
      slaveId: string;
      taskId: string;
      /** Mesos' state name, `TASK_RUNNING` etc. (protocol states already carry the prefix). */
      taskStatus: TaskState;
      message: string;
      appId: string;
      host: string;
      ipAddresses: { ipAddress: string; protocol: "IPv4" | "IPv6" }[];
      ports: number[];
      version: string;
    }
  | {
      eventType: "instance_changed_event";
      instanceId: string;
      condition: string;
      runSpecId: string;
      agentId: string;
      host: string;
      runSpecVersion: string;
    }
  | {
      eventType: "health_status_changed_event" | "instance_health_changed_event";
      appId: string;
      instanceId: string;
      taskId: string;
      version: string;
      alive: boolean;
    }
  | { eventType: "failed_health_check_event"; appId: string; taskId: string; instanceId: string }
  | {
      eventType: "unhealthy_instance_kill_event";
      appId: string;
      taskId: string;
      instanceId: string;
      reason: string;
      host: string;
      slaveId: string;
      version: string;
    }
  | {
      /** A deployment starts (`add`) or stops (`remove`) one of an app's health checks. */
      eventType: "add_health_check_event" | "remove_health_check_event";
      appId: string;
      healthCheck: HealthCheckDefinition;
    }
  | { eventType: "app_terminated_event"; appId: string }
  | {
      /** A task Marathon does not know ended (e.g. one it killed after expunging it while out of reach). */
      eventType: "unknown_instance_terminated_event";
      instanceId: string;
      runSpecId: string;
      condition: string;
    }
  | { eventType: "framework_message_event"; slaveId: string; executorId: string; message: string }
  | { eventType: "event_stream_attached" | "event_stream_detached"; remoteAddress: string }
);

export type MarathonEventType = MarathonEvent["eventType"];
