import type { StateStore } from "@agora/transport";
import { encodeJson as encode, KeyedWriter } from "@agora/transport/internal";
import type { Logger } from "pino";
import { type AppDefinition, StoredApp } from "../model/app-definition.js";
import { emptyRoot, type Group, StoredGroup } from "../model/group.js";
import type { Instance } from "../model/instance.js";
import { FrameworkIdRecord, readRecord, StoredDeployment, StoredInstance, TaskFailure } from "./records.js";

export type { StoredDeployment };

/** Everything Marathon keeps across restarts, as loaded at start. */
export interface StoredState {
  frameworkId: string | undefined;
  root: Group;
  /** Earlier roots by version (`/v2/groups/versions`, group rollback). */
  rootVersions: Map<string, Group>;
  appVersions: Map<string, Map<string, AppDefinition>>;
  deployments: StoredDeployment[];
  instances: Instance[];
  failures: Map<string, TaskFailure>;
}

/** Marathon keeps this many versions of an app (its `max_versions` default is 50). */
export const MAX_APP_VERSIONS = 50;
/** Root groups kept for `/v2/groups/versions` and rollback. */
export const MAX_ROOT_VERSIONS = 50;

const P = "marathon";
const keys = {
  frameworkId: `${P}.framework-id`,
  root: `${P}.root`,
  rootVersions: `${P}.root-versions.`,
  rootVersion: (version: string) => `${P}.root-versions.${token(version)}`,
  appVersions: `${P}.app-versions.`,
  appVersion: (appId: string, version: string) => `${P}.app-versions.${token(appId)}.${token(version)}`,
  deployments: `${P}.deployments.`,
  deployment: (id: string) => `${P}.deployments.${token(id)}`,
  instances: `${P}.instances.`,
  instance: (taskId: string) => `${P}.instances.${token(taskId)}`,
  failures: `${P}.failures.`,
  failure: (appId: string) => `${P}.failures.${token(appId)}`,
};

/**
 * Marathon's state in a `StateStore` (a file store in dev mode, JetStream KV in cluster mode): the
 * framework id, the current root group, every app's versions, running deployments, instances and
 * each app's last task failure, one key each. Ids become base64url key tokens, since app ids, task
 * ids and ISO versions hold characters a key may not.
 *
 * Writes of the root, versions and deployments are awaited by the caller (a write request fails
 * with STORE_FAILED if they do not land); instance writes go through a `KeyedWriter`, so a task's
 * state churn costs at most one write in flight per task.
 */
export class MarathonRepository {
  private readonly writer: KeyedWriter;

  constructor(
    private readonly store: StateStore,
    logger: Logger,
  ) {
    this.writer = new KeyedWriter(store, logger);
  }

  async load(): Promise<StoredState> {
    const [fid, root, roots, versions, deployments, instances, failures] = await Promise.all([
      this.store.get(keys.frameworkId),
      this.store.get(keys.root),
      this.store.list(keys.rootVersions),
      this.store.list(keys.appVersions),
      this.store.list(keys.deployments),
      this.store.list(keys.instances),
      this.store.list(keys.failures),
    ]);
    const appVersions = new Map<string, Map<string, AppDefinition>>();
    for (const e of versions) {
      const app = readRecord(StoredApp, e.key, e.value);
      const byVersion = appVersions.get(app.id) ?? new Map<string, AppDefinition>();
      byVersion.set(app.version ?? "", app);
      appVersions.set(app.id, byVersion);
    }
    return {
      frameworkId: fid ? readRecord(FrameworkIdRecord, fid.key, fid.value) : undefined,
      root: root ? readRecord(StoredGroup, root.key, root.value) : emptyRoot(new Date(0).toISOString()),
      rootVersions: new Map(
        roots.map((e) => readRecord(StoredGroup, e.key, e.value)).map((g) => [g.version, g]),
      ),
      appVersions,
      deployments: deployments.map((e) => readRecord(StoredDeployment, e.key, e.value)),
      instances: instances.map((e) => readRecord(StoredInstance, e.key, e.value)),
      failures: new Map(
        failures.map((e) => readRecord(TaskFailure, e.key, e.value)).map((f) => [f.appId, f]),
      ),
    };
  }

  saveFrameworkId(id: string): Promise<void> {
    return this.writer.put(keys.frameworkId, id);
  }

  /**
   * Stores a new root with the app versions it introduces and the deployment that moves to it;
   * rejects when the store refuses any of it (the caller serialises these writes).
   */
  async saveRoot(root: Group, newVersions: AppDefinition[], deployment?: StoredDeployment): Promise<void> {
    await Promise.all([
      ...newVersions.map((a) => this.store.put(keys.appVersion(a.id, a.version ?? ""), encode(a))),
      ...(deployment ? [this.store.put(keys.deployment(deployment.plan.id), encode(deployment))] : []),
      this.store.put(keys.rootVersion(root.version), encode(root)),
    ]);
    await this.store.put(keys.root, encode(root));
  }

  deleteRootVersions(versions: string[]): Promise<void> {
    return Promise.all(versions.map((v) => this.writer.delete(keys.rootVersion(v)))).then(() => {});
  }

  deleteAppVersions(appId: string, versions: string[]): Promise<void> {
    return Promise.all(versions.map((v) => this.writer.delete(keys.appVersion(appId, v)))).then(() => {});
  }

  /** A deployment's progress (its step index); not awaited by the runner, reconciliation repeats a step. */
  saveDeployment(d: StoredDeployment): Promise<void> {
    return this.writer.put(keys.deployment(d.plan.id), d);
  }

  deleteDeployment(id: string): Promise<void> {
    return this.writer.delete(keys.deployment(id));
  }

  saveInstance(instance: Instance): Promise<void> {
    return this.writer.put(keys.instance(instance.taskId), instance);
  }

  deleteInstance(taskId: string): Promise<void> {
    return this.writer.delete(keys.instance(taskId));
  }

  saveFailure(failure: TaskFailure): Promise<void> {
    return this.writer.put(keys.failure(failure.appId), failure);
  }

  deleteFailure(appId: string): Promise<void> {
    return this.writer.delete(keys.failure(appId));
  }

  /** Resolves once every write so far is in the store. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  get failedWrites(): number {
    return this.writer.failed;
  }
}

function token(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url") || "_";
}
