import type { AppDefinition } from "../model/app-definition.js";
import { appsOf, emptyRoot, type Group } from "../model/group.js";
import { MAX_APP_VERSIONS, MAX_ROOT_VERSIONS, type MarathonRepository } from "./repository.js";

/**
 * The current root group and the versions kept of it and of every app (`/v2/apps/{id}/versions`,
 * `/v2/groups/versions`, rollback): at most MAX_APP_VERSIONS per app and MAX_ROOT_VERSIONS roots,
 * older ones dropped from memory and the store together.
 */
export class VersionHistory {
  private current: Group = emptyRoot(new Date(0).toISOString());
  private readonly versions = new Map<string, Map<string, AppDefinition>>();
  private readonly roots = new Map<string, Group>();
  private appsCache: { root: Group; apps: Map<string, AppDefinition> } | undefined;

  constructor(private readonly repo: MarathonRepository) {}

  /** Takes what the store held at start. */
  load(
    root: Group,
    appVersions: ReadonlyMap<string, Map<string, AppDefinition>>,
    rootVersions: ReadonlyMap<string, Group>,
  ): void {
    this.current = root;
    for (const [appId, byVersion] of appVersions) this.versions.set(appId, byVersion);
    for (const [version, r] of rootVersions) this.roots.set(version, r);
  }

  root(): Group {
    return this.current;
  }

  /** The current root's apps by id, computed once per root. */
  apps(): Map<string, AppDefinition> {
    if (this.appsCache?.root !== this.current)
      this.appsCache = { root: this.current, apps: appsOf(this.current) };
    return this.appsCache.apps;
  }

  /** The apps of `target` whose version is not kept yet: the ones a new root must store. */
  newAppVersions(target: Group): AppDefinition[] {
    return [...appsOf(target).values()].filter((a) => !this.versions.get(a.id)?.has(a.version ?? ""));
  }

  appVersions(appId: string): string[] {
    return [...(this.versions.get(appId)?.keys() ?? [])].sort().reverse();
  }

  appVersion(appId: string, version: string): AppDefinition | undefined {
    return this.versions.get(appId)?.get(version);
  }

  rootVersions(): string[] {
    return [...this.roots.keys()].sort().reverse();
  }

  rootVersion(version: string): Group | undefined {
    return this.roots.get(version);
  }

  /** Makes `root` current (already stored with `added`), keeping both as versions. */
  advance(root: Group, added: readonly AppDefinition[]): void {
    this.current = root;
    for (const a of added) this.rememberVersion(a);
    this.roots.set(root.version, root);
    const old = [...this.roots.keys()].sort().slice(0, -MAX_ROOT_VERSIONS);
    for (const v of old) this.roots.delete(v);
    if (old.length > 0) void this.repo.deleteRootVersions(old);
  }

  private rememberVersion(app: AppDefinition): void {
    const byVersion = this.versions.get(app.id) ?? new Map<string, AppDefinition>();
    byVersion.set(app.version ?? "", app);
    this.versions.set(app.id, byVersion);
    const old = [...byVersion.keys()].sort().slice(0, -MAX_APP_VERSIONS);
    for (const v of old) byVersion.delete(v);
    if (old.length > 0) void this.repo.deleteAppVersions(app.id, old);
  }
}
