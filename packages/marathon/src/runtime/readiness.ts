import type { Clock, TimerHandle } from "@agora/transport";
import type { Logger } from "pino";
import type { AppDefinition, ReadinessCheck } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";

/** One HTTP probe: resolves with the status code, or undefined when nothing answered in time. */
export type ReadinessProbe = (url: string, timeoutMs: number) => Promise<number | undefined>;

const httpProbe: ReadinessProbe = async (url, timeoutMs) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
};

/** One instance's readiness as `/v2/deployments` shows it (Marathon's `readinessCheckResults`). */
export interface ReadinessResult {
  name: string;
  taskId: string;
  ready: boolean;
  lastResponse?: { status: number };
}

interface Tracked {
  appId: string;
  lastStatus?: number;
  url: string;
  check: ReadinessCheck;
  timer: TimerHandle | undefined;
  ready: boolean;
}

/**
 * Marathon's readiness checks, run by Marathon itself (not the agent) while a deployment starts an
 * app's new instances: each running instance of an app with `readinessChecks` is polled at
 * `http://host:port/path` (the port named `portName`) every `intervalSeconds` until it answers one of
 * `httpStatusCodesForReady`; then it is ready and no longer polled. Only the first check counts.
 */
export class ReadinessChecks {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly o: {
      clock: Clock;
      logger: Logger;
      /** Called when an instance became ready, so the deployment can move on. */
      onReady: () => void;
      probe?: ReadinessProbe;
    },
  ) {}

  /** Starts polling the running instances of `app` not yet tracked; forgets instances no longer given. */
  watch(app: AppDefinition, instances: readonly Instance[]): void {
    const check = app.readinessChecks[0];
    if (!check) return;
    const current = new Set<string>(instances.map((i) => i.taskId));
    for (const [taskId, t] of this.tracked)
      if (t.appId === app.id && !current.has(taskId)) {
        if (t.timer) this.o.clock.clear(t.timer);
        this.tracked.delete(taskId);
      }
    for (const i of instances) {
      if (i.state !== "TASK_RUNNING" || this.tracked.has(i.taskId)) continue;
      const port = portOf(app, i, check.portName);
      if (port === undefined) continue;
      const scheme = check.protocol === "HTTPS" ? "https" : "http";
      const t: Tracked = {
        appId: app.id,
        url: `${scheme}://${i.host}:${port}${check.path}`,
        check,
        timer: undefined,
        ready: false,
      };
      this.tracked.set(i.taskId, t);
      void this.poll(i.taskId, t);
    }
  }

  /** Task ids of `appId` that passed their readiness check. */
  readyOf(appId: string): ReadonlySet<string> {
    return new Set([...this.tracked].filter(([, t]) => t.ready && t.appId === appId).map(([id]) => id));
  }

  /** Stops polling and forgets every app but `appIds` (those a running deployment still starts). */
  retainOnly(appIds: ReadonlySet<string>): void {
    for (const [taskId, t] of this.tracked)
      if (!appIds.has(t.appId)) {
        if (t.timer) this.o.clock.clear(t.timer);
        this.tracked.delete(taskId);
      }
  }

  /** The app's readiness results so far, one per polled instance. */
  resultsOf(appId: string): ReadinessResult[] {
    return [...this.tracked]
      .filter(([, t]) => t.appId === appId)
      .map(([taskId, t]) => ({
        name: t.check.name,
        taskId,
        ready: t.ready,
        ...(t.lastStatus === undefined ? {} : { lastResponse: { status: t.lastStatus } }),
      }));
  }

  stop(): void {
    for (const t of this.tracked.values()) if (t.timer) this.o.clock.clear(t.timer);
    this.tracked.clear();
  }

  private async poll(taskId: string, t: Tracked): Promise<void> {
    const status = await (this.o.probe ?? httpProbe)(t.url, t.check.timeoutSeconds * 1000);
    if (this.tracked.get(taskId) !== t) return;
    if (status !== undefined) t.lastStatus = status;
    if (status !== undefined && t.check.httpStatusCodesForReady.includes(status)) {
      t.ready = true;
      this.o.logger.debug({ taskId, url: t.url }, "instance ready");
      this.o.onReady();
      return;
    }
    t.timer = this.o.clock.setTimeout(() => void this.poll(taskId, t), t.check.intervalSeconds * 1000);
  }
}

/** The host port of `instance` named `name` (port definitions or container port mappings, in order). */
function portOf(app: AppDefinition, instance: Instance, name: string): number | undefined {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings ?? [];
  const names =
    mappings.length > 0
      ? mappings.map((m) => m.name)
      : app.portDefinitions.map((p) => ("name" in p ? p.name : undefined));
  const index = names.indexOf(name);
  return index < 0 ? undefined : instance.ports[index];
}
