import type { LaunchQueue } from "../launch/launch-queue.js";
import type { DeploymentWork } from "./deployment-runner.js";
import type { EventBody } from "./event-hub.js";
import type { InstanceTracker } from "./instance-tracker.js";
import type { MarathonRepository } from "./repository.js";

/** Where deployment work lands: kills with the tracker, launches in the queue, progress in the store. */
export interface DeploymentWorkSinks {
  readonly tracker: Pick<InstanceTracker, "kill" | "dropFailure">;
  readonly queue: Pick<LaunchQueue, "add" | "remove" | "resetDelay">;
  readonly repo: Pick<MarathonRepository, "saveDeployment" | "deleteDeployment">;
  readonly emit: (event: EventBody) => void;
}

/** Commits what the deployment runner decided, in its order: the one place its decisions take effect. */
export function commitDeploymentWork(work: readonly DeploymentWork[], to: DeploymentWorkSinks): void {
  for (const w of work) {
    switch (w.type) {
      case "kill":
        to.tracker.kill(w.taskIds);
        break;
      case "enqueue":
        to.queue.add(w.app, w.count);
        break;
      case "dequeue":
        to.queue.remove(w.appId, w.count);
        break;
      case "restartBegins":
        to.queue.resetDelay(w.appId);
        break;
      case "appStopped":
        to.queue.remove(w.appId);
        to.tracker.dropFailure(w.appId);
        to.emit({ eventType: "app_terminated_event", appId: w.appId });
        break;
      case "emit":
        to.emit(w.event);
        break;
      case "save":
        void to.repo.saveDeployment(w.deployment);
        break;
      case "remove":
        void to.repo.deleteDeployment(w.id);
        break;
    }
  }
}
