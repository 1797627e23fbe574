import { setTimeout as sleep } from "node:timers/promises";
import { SingleBar } from "cli-progress";
import { z } from "zod";
import { CliError } from "../errors.js";
import { type Colors, num } from "./table.js";
import type { VerbContext } from "./verbs.js";

/** The parts of a Marathon app the verbs read (`/v2/apps`, `/v2/apps/{id}`). */
export const MarathonApp = z.looseObject({
  id: z.string(),
  cmd: z.string().nullish(),
  args: z.array(z.string()).nullish(),
  container: z.looseObject({ docker: z.looseObject({ image: z.string() }).nullish() }).nullish(),
  instances: z.number(),
  cpus: z.number(),
  mem: z.number(),
  disk: z.number().optional(),
  version: z.string(),
  healthChecks: z.array(z.unknown()).default([]),
  tasksRunning: z.number().default(0),
  tasksHealthy: z.number().default(0),
  tasksStaged: z.number().default(0),
  tasksUnhealthy: z.number().default(0),
  deployments: z.array(z.looseObject({ id: z.string() })).default([]),
  lastTaskFailure: z
    .looseObject({
      state: z.string().optional(),
      message: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  tasks: z
    .array(
      z.looseObject({
        id: z.string(),
        host: z.string().optional(),
        state: z.string().optional(),
        ports: z.array(z.number()).default([]),
        startedAt: z.string().optional(),
        stagedAt: z.string().optional(),
        healthCheckResults: z.array(z.looseObject({ alive: z.boolean() })).default([]),
      }),
    )
    .optional(),
});
export type MarathonApp = z.infer<typeof MarathonApp>;

export const AppAnswer = z.looseObject({ app: MarathonApp });

/** A write's answer: `{deploymentId, version}`. */
export const DeploymentAnswer = z.looseObject({ deploymentId: z.string(), version: z.string() });

const Deployment = z.looseObject({
  id: z.string(),
  version: z.string(),
  affectedApps: z.array(z.string()).default([]),
  currentStep: z.number().default(0),
  totalSteps: z.number().default(0),
});
const Deployments = z.array(Deployment);

const Queue = z.looseObject({
  queue: z.array(
    z.looseObject({
      app: z.looseObject({ id: z.string() }).optional(),
      count: z.number().optional(),
      delay: z.looseObject({ timeLeftSeconds: z.number().optional() }).optional(),
      processedOffersSummary: z
        .looseObject({
          processedOffersCount: z.number().optional(),
          unusedOffersCount: z.number().optional(),
          rejectSummaryLastOffers: z
            .array(z.looseObject({ reason: z.string(), declined: z.number(), processed: z.number() }))
            .optional(),
        })
        .optional(),
    }),
  ),
});

export const appPath = (id: string) => `/v2/apps/${id.replace(/^\/+/, "")}`;

/** What `--json` prints at the end of a followed deployment. */
export interface DeploymentOutcome {
  appId: string;
  deploymentId: string;
  version: string;
  result: "success" | "detached";
  instances?: number;
  tasksRunning?: number;
  tasksHealthy?: number;
  seconds?: number;
}

export interface FollowOptions {
  appId: string;
  deploymentId: string;
  version: string;
  /** What was asked: the words of the progress line; `remove` succeeds when the app is gone. */
  kind: "deploy" | "scale" | "restart" | "remove";
  timeoutMs: number;
  pollMs: number;
}

/**
 * Follows one deployment until Marathon no longer lists it, with a progress line on stderr (redrawn
 * in place on a terminal, a line per change otherwise): instances running (and healthy, when the app
 * has health checks) of wanted. It succeeded when the app then carries the deployment's version (or,
 * for a removal, is gone); a deployment cancelled, rolled back or replaced is `DEPLOYMENT_FAILED`,
 * one still going after `timeoutMs` is `TIMEOUT`, with the app's last task failure and what the
 * launch queue says. Marathon itself never gives up on a deployment: it retries with backoff.
 */
export async function followDeployment(ctx: VerbContext, o: FollowOptions): Promise<DeploymentOutcome> {
  const started = Date.now();
  // With --json the output is for a script: the outcome only, no progress.
  const progress = new Progress(ctx.stderr, ctx.json);
  try {
    return await follow(ctx, o, progress, started);
  } finally {
    progress.done();
  }
}

async function follow(
  ctx: VerbContext,
  o: FollowOptions,
  progress: Progress,
  started: number,
): Promise<DeploymentOutcome> {
  const path = `${appPath(o.appId)}?embed=app.lastTaskFailure`;
  for (;;) {
    const [deployments, appAnswer] = await Promise.all([
      ctx.http.get("marathon", "/v2/deployments", Deployments),
      ctx.http.request("marathon", path, { schema: AppAnswer, accept: [404] }),
    ]);
    const app = appAnswer.status === 404 ? undefined : appAnswer.body.app;
    const mine = deployments.find((d) => d.id === o.deploymentId);
    const seconds = Math.round((Date.now() - started) / 1000);
    progress.draw(state(o, app, mine, seconds, ctx.errColors));
    if (!mine) {
      if (o.kind === "remove" ? app === undefined : app?.version === o.version) {
        return {
          appId: o.appId,
          deploymentId: o.deploymentId,
          version: o.version,
          result: "success",
          ...(app
            ? { instances: app.instances, tasksRunning: app.tasksRunning, tasksHealthy: app.tasksHealthy }
            : {}),
          seconds,
        };
      }
      throw new CliError(
        "DEPLOYMENT_FAILED",
        `agora: deployment ${o.deploymentId} of ${o.appId} ended without ${o.kind === "remove" ? "removing the app" : `reaching version ${o.version}`}: it was cancelled, rolled back or replaced by another deployment${
          app ? ` (the app is at version ${app.version})` : " (the app is gone)"
        }`,
      );
    }
    if (Date.now() - started >= o.timeoutMs) {
      throw new CliError("TIMEOUT", await timeoutMessage(ctx, o, app));
    }
    try {
      await sleep(o.pollMs, undefined, { signal: ctx.signal });
    } catch {
      throw new CliError(
        "TIMEOUT",
        `agora: stopped following deployment ${o.deploymentId}; it goes on in Marathon (DELETE ${ctx.http.url("marathon", `/v2/deployments/${o.deploymentId}`)} rolls it back)`,
      );
    }
  }
}

/** Where a deployment is: what the progress bar shows (instances healthy, or running, of wanted). */
export interface ProgressState {
  /** `/web: deploy` */
  readonly label: string;
  readonly wanted: number;
  /** Healthy when the app has health checks, else running. */
  readonly done: number;
  /** `2/3 healthy, 3/3 running, step 1/2` */
  readonly counts: string;
  readonly seconds: number;
  /** The app's last task failure, colored, or "". */
  readonly failure: string;
}

function state(
  o: FollowOptions,
  app: MarathonApp | undefined,
  d: z.infer<typeof Deployment> | undefined,
  seconds: number,
  c: Colors,
): ProgressState {
  const wanted = o.kind === "remove" ? 0 : (app?.instances ?? 0);
  const checked = (app?.healthChecks.length ?? 0) > 0;
  const running = app?.tasksRunning ?? 0;
  const healthy = checked ? (app?.tasksHealthy ?? 0) : running;
  const step = d && d.totalSteps > 0 ? `, step ${d.currentStep}/${d.totalSteps}` : "";
  return {
    label: `${o.appId}: ${o.kind}`,
    wanted,
    done: Math.min(healthy, wanted),
    counts: `${checked ? `${healthy}/${wanted} healthy, ` : ""}${running}/${wanted} running${step}`,
    seconds,
    failure: app?.lastTaskFailure?.message ? c.yellow(` — last failure: ${app.lastTaskFailure.message}`) : "",
  };
}

async function timeoutMessage(
  ctx: VerbContext,
  o: FollowOptions,
  app: MarathonApp | undefined,
): Promise<string> {
  const parts = [
    `agora: deployment ${o.deploymentId} of ${o.appId} did not finish within ${num(o.timeoutMs / 1000)}s`,
  ];
  if (app) parts.push(`${app.tasksRunning}/${o.kind === "remove" ? 0 : app.instances} instances running`);
  if (app?.lastTaskFailure)
    parts.push(
      `last task failure: ${app.lastTaskFailure.state ?? ""} ${app.lastTaskFailure.message ?? ""}`.trim(),
    );
  const queue = await ctx.http.get("marathon", "/v2/queue", Queue).catch(() => undefined);
  const queued = queue?.queue.find((q) => q.app?.id === o.appId);
  if (queued) {
    const rejected = (queued.processedOffersSummary?.rejectSummaryLastOffers ?? [])
      .filter((r) => r.declined > 0)
      .map((r) => `${r.reason} (${r.declined})`);
    parts.push(
      `${queued.count ?? "?"} waiting to launch${rejected.length ? `, offers declined for ${rejected.join(", ")}` : ""}${
        queued.delay?.timeLeftSeconds ? `, backing off ${queued.delay.timeLeftSeconds}s` : ""
      }`,
    );
  }
  parts.push(
    `it goes on in Marathon: DELETE ${ctx.http.url("marathon", `/v2/deployments/${o.deploymentId}`)} rolls it back`,
  );
  return parts.join("; ");
}

/**
 * The deployment's progress on stderr: on a terminal a bar redrawn in place (cli-progress), else a
 * line each time the counts change (a log, not an animation); nothing with `--json`.
 */
export class Progress {
  private bar: SingleBar | undefined;
  private last = "";

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly quiet: boolean,
  ) {}

  draw(s: ProgressState): void {
    if (this.quiet) return;
    const payload = { label: s.label, counts: s.counts, seconds: num(s.seconds), failure: s.failure };
    if (this.stream.isTTY) {
      // A removal wants 0: an empty bar of 1 rather than cli-progress' full bar of 0.
      const total = Math.max(1, s.wanted);
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.stream,
          format: "{label} {bar} {counts}, {seconds}s{failure}",
          barsize: 20,
          barCompleteChar: "█",
          barIncompleteChar: "░",
          hideCursor: false,
          clearOnComplete: false,
          // Redrawn when we poll, not on a timer of its own.
          fps: 1,
          etaBuffer: 1,
        });
        this.bar.start(total, s.done, payload);
      } else {
        this.bar.setTotal(total);
        this.bar.update(s.done, payload);
      }
      return;
    }
    const text = `${s.label} ${s.counts}${s.failure}`;
    if (text !== this.last) this.stream.write(`${text}, ${payload.seconds}s\n`);
    this.last = text;
  }

  done(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
