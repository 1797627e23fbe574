import { firstIssue, RoleName } from "@agora/protocol";
import { z } from "zod";
import { duration, natsUrl, resourcesText } from "../flags.js";

/**
 * One simulated framework per entry of `--frameworks`: `name:role:weight:share`, comma-separated.
 * `share` is the fraction of `--tasks` it launches (shares are normalized); `weight` is its role's
 * weight, set through the master's `/weights` before it subscribes.
 */
export const FrameworkSpec = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 characters of A-Z a-z 0-9 _ -"),
  role: RoleName,
  weight: z.number().positive(),
  share: z.number().positive(),
});
export type FrameworkSpec = z.infer<typeof FrameworkSpec>;

const frameworkList = z.string().transform((text, ctx) => {
  const out: FrameworkSpec[] = [];
  for (const [i, item] of text.split(",").entries()) {
    const [name, role, weight = "1", share = "1"] = item.trim().split(":");
    const parsed = FrameworkSpec.safeParse({ name, role, weight: Number(weight), share: Number(share) });
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      ctx.addIssue({
        code: "custom",
        message: `entry ${i + 1} ('${item}'): ${field} ${message}; expected name:role:weight:share`,
      });
      return z.NEVER;
    }
    out.push(parsed.data);
  }
  if (new Set(out.map((f) => f.name)).size !== out.length) {
    ctx.addIssue({ code: "custom", message: "framework names must be unique" });
    return z.NEVER;
  }
  return out;
});

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const fraction = z.coerce.number().min(0).max(1);

/** Every option of `agora simulate`, with its default: the single source of its flags' validation. */
export const SimulateOptions = z.object({
  agents: count(1, 100_000).default(500),
  tasks: count(1, 10_000_000).default(5000),
  /** An existing cluster's NATS; without it the simulator starts its own nats-server and master. */
  nats: natsUrl.optional(),
  /** With --nats: the master's HTTP API, for metrics and /master/state (default http://127.0.0.1:5050). */
  master: z.url().default("http://127.0.0.1:5050"),
  report: z.string().min(1).default("simulate-report"),
  /** Simulated agents per worker process (each worker has one NATS connection). */
  agentsPerWorker: count(1, 100_000).default(5000),
  agentResources: resourcesText.default("cpus:8;mem:16384;disk:100000;ports:[31000-32000]"),
  frameworks: frameworkList.default([
    { name: "sim-web", role: "web", weight: 2, share: 1 },
    { name: "sim-batch", role: "batch", weight: 1, share: 1 },
  ]),
  taskCpus: z.coerce.number().positive().default(1),
  taskMem: z.coerce.number().positive().default(128),
  acceptWindow: count(0, 1_000_000).default(1000),
  loadNice: count(0, 19).default(10),
  /** Mean synthetic run time (exponentially distributed, seeded); 0 finishes at once. */
  taskRunTime: duration.default(2000),
  /** Share of tasks that end TASK_FAILED instead of TASK_FINISHED. */
  failureRate: fraction.default(0.01),
  /** Share of agents killed (silently, as a crashed host) once a third of the tasks ran, then replaced. */
  churn: fraction.default(0),
  /** Marathon apps (each `--marathon-instances` no-op instances) deployed through a Marathon process. */
  marathonApps: count(0, 10_000).default(0),
  marathonInstances: count(1, 10_000).default(10),
  /** Chronos jobs POSTed to an `agora chronos` process, each run `--chronos-repeats` times. */
  chronosJobs: count(0, 10_000).default(0),
  chronosRepeats: count(1, 1000).default(3),
  /** The scheduled jobs' period (ISO 8601 `PT…S`); their first slot is one period after they are POSTed. */
  chronosInterval: duration.pipe(z.number().min(1000, "must be at least 1secs")).default(10_000),
  /** Share of the Chronos jobs that depend on a scheduled one (one parent each) instead of a schedule. */
  chronosDependents: fraction.default(0),
  /**
   * 0: the run ends once every task ended. Otherwise it ends this long after every task is running
   * or ended: a steady state of running tasks (give them a long --task-run-time).
   */
  hold: duration.default(0),
  /** The run gives up after this long; the report then shows what was still pending. */
  timeout: duration.default(600_000),
  /** How often master metrics, /master/state latency and queue depths are sampled. */
  sampleInterval: duration.default(1000),
  /** Seeds run times, failures and churn, so a run can be replayed. */
  seed: count(0, 2 ** 31 - 1).default(1),
  /** Passed to the master the simulator starts (`--cpu-prof` into the report directory). */
  masterCpuProf: z.boolean().default(false),
  /**
   * CPU profiles into the report directory: `master`, each `worker-<n>`, `chronos` and the
   * `simulator` itself (`<name>.cpuprofile`), to see where the cores go; not the state probe or Marathon.
   */
  cpuProf: z.boolean().default(false),
});
export type SimulateOptions = z.infer<typeof SimulateOptions>;
