import type { MarathonEvent } from "./events.js";
import type { AppDefinition } from "./model/app-definition.js";
import type { DeploymentPlan } from "./model/deployment.js";
import type { Group } from "./model/group.js";
import type { Instance } from "./model/instance.js";
import type { TaskFailure } from "./runtime/records.js";

/**
 * The contract between Marathon's REST layer (`http/`) and its runtime (`runtime/`). Every write is a
 * new target root group handed to `deploy` (as Marathon's GroupManager does); the REST layer builds
 * that target from the request with the pure tree operations in `model/`, the runtime plans and runs
 * the deployment. Reads are synchronous views of the runtime's current state.
 */
export interface MarathonService {
  /** The current root group (the last deployed target, also while its deployment runs). */
  root(): Group;
  /** Versions (ISO timestamps) an app has had, newest first; empty when unknown. */
  appVersions(appId: string): string[];
  appVersion(appId: string, version: string): AppDefinition | undefined;
  instances(appId?: string): Instance[];
  deployments(): RunningDeployment[];
  queue(): QueuedLaunch[];
  lastTaskFailure(appId: string): TaskFailure | undefined;

  /**
   * Plans and starts a deployment from the current root to `target` (whose version the caller sets).
   * Rejects with `MarathonError` `APP_LOCKED` when an affected app is in a running deployment and
   * `force` is false; with `force` the conflicting deployments are cancelled first.
   */
  deploy(target: Group, options: { force: boolean }): Promise<DeploymentPlan>;
  /** Kills instances; `scale` lowers their apps' instance counts in one deployment, `wipe` forgets them. */
  killInstances(
    taskIds: string[],
    options: { scale: boolean; wipe: boolean; force: boolean },
  ): Promise<{ killed: Instance[]; deployment?: DeploymentPlan }>;
  /** DELETE /v2/deployments/{id}: rollback (a new forced deployment back), or with `force` stop only. */
  cancelDeployment(id: string, options: { force: boolean }): Promise<DeploymentPlan | undefined>;
  /** DELETE /v2/queue/{id}/delay: the app's launches are no longer held back by backoff. */
  resetDelay(appId: string): boolean;

  /** Subscribes to Marathon events; returns the unsubscribe function. */
  onEvent(listener: (event: MarathonEvent) => void): () => void;
  info(): MarathonInfo;
  /** DELETE /v2/leader: the leader steps down so another Marathon is elected (absent: not supported). */
  abdicate?(): Promise<void>;
  /** Versions the root group has had, newest first (`/v2/groups/versions`; absent: none kept). */
  rootVersions?(): string[];
  /** The root group as it was at `version` (group rollback and `/v2/groups/{id}/versions/{v}`). */
  rootVersion?(version: string): Group | undefined;
}

export interface RunningDeployment {
  plan: DeploymentPlan;
  /** 1-based, as Marathon's `currentStep`. */
  currentStep: number;
  /** The actions of the current step that have not finished. */
  currentActions: { action: string; app: string; readinessCheckResults: unknown[] }[];
}

export interface QueuedLaunch {
  app: AppDefinition;
  count: number;
  /** When the app's backoff delay ends (epoch ms); ≤ now means not delayed. */
  delayUntil: number;
  since: string;
  role: string;
  processedOffersSummary: {
    processedOffersCount: number;
    unusedOffersCount: number;
    lastUnusedOfferAt?: string;
    rejectSummaryLastOffers: { reason: string; declined: number; processed: number }[];
  };
}

export type { TaskFailure };

export interface MarathonInfo {
  name: string;
  version: string;
  frameworkId: string | undefined;
  /** `host:port` of the leading Marathon, undefined when none leads. */
  leader: string | undefined;
  elected: boolean;
  /** Flags Marathon ran with, shown under `marathon_config`. */
  config: Record<string, unknown>;
  httpPort: number;
}
