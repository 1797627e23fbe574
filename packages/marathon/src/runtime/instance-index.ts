import type { Instance } from "../model/instance.js";

/**
 * Marathon's live instances by task id and by app: the control loop asks for one app's instances
 * after every status update, which must not cost a scan of every instance of every app.
 */
export class InstanceIndex {
  private readonly byTask = new Map<string, Instance>();
  private readonly byApp = new Map<string, Map<string, Instance>>();

  get size(): number {
    return this.byTask.size;
  }

  get(taskId: string): Instance | undefined {
    return this.byTask.get(taskId);
  }

  set(instance: Instance): void {
    this.byTask.set(instance.taskId, instance);
    let app = this.byApp.get(instance.appId);
    if (!app) {
      app = new Map();
      this.byApp.set(instance.appId, app);
    }
    app.set(instance.taskId, instance);
  }

  delete(taskId: string): void {
    const instance = this.byTask.get(taskId);
    if (!instance) return;
    this.byTask.delete(taskId);
    const app = this.byApp.get(instance.appId);
    app?.delete(taskId);
    if (app?.size === 0) this.byApp.delete(instance.appId);
  }

  values(): IterableIterator<Instance> {
    return this.byTask.values();
  }

  ofApp(appId: string): Instance[] {
    return [...(this.byApp.get(appId)?.values() ?? [])];
  }
}
