import { isSchedulerError, packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import type { Offer, TaskId, TaskStatus } from "@agora/protocol";
import { z } from "zod";
import {
  frameworkCredential,
  frameworkCredentialOptions,
  natsIdentity,
  natsIdentityOptions,
} from "../bus-identity.js";
import { CliError } from "../errors.js";
import { cluster, natsUrl } from "../flags.js";
import { createLogger } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { executeFlags } from "../role-flags.js";
import { openBus } from "../runtime.js";
import { ExecuteTracker } from "./execute-tracker.js";

const ExecuteOptions = z
  .object({
    nats: natsUrl,
    command: z.string().min(1).optional(),
    dockerImage: z.string().min(1).optional(),
    dockerNetwork: z.enum(["host", "none", "bridge"]).default("host"),
    instances: z.coerce.number().int().min(1).max(100_000).default(1),
    cpus: z.coerce.number().positive().default(1),
    mem: z.coerce.number().positive().default(128),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '.' or '-'")
      .default("agora-execute"),
    role: z.string().min(1).default("*"),
    failoverTimeout: z.coerce.number().nonnegative().default(0),
    timeout: z.coerce.number().nonnegative().default(300),
    cluster,
    ...natsIdentityOptions,
    ...frameworkCredentialOptions,
  })
  .refine((o) => o.command !== undefined || o.dockerImage !== undefined, {
    message: "is required (or --docker-image)",
    path: ["command"],
  });

/**
 * A one-shot framework, like `mesos-execute`: launches the tasks, prints every status change,
 * exits 0 when all finished, 1 when any ended otherwise, 3 on timeout. SIGINT/SIGTERM kill the tasks.
 */
export async function runExecute(values: FlagValues): Promise<void> {
  const o = parseOptions("execute", values, process.env, executeFlags, ExecuteOptions);
  const logger = createLogger("execute");
  const credential = await frameworkCredential("execute", o);
  const bus = await openBus(o.nats, `agora-execute-${o.name}`, logger, await natsIdentity("execute", o));
  const runId = Date.now().toString(36);
  const specs: TaskSpec[] = Array.from({ length: o.instances }, (_, i) => ({
    taskId: `${o.name}.${runId}.${i}`,
    name: `${o.name}-${i}`,
    resources: { cpus: o.cpus, mem: o.mem },
    ...(o.command === undefined ? {} : { command: { value: o.command, shell: true } }),
    ...(o.dockerImage === undefined
      ? {}
      : {
          container: {
            type: "DOCKER" as const,
            docker: {
              image: o.dockerImage,
              network: o.dockerNetwork.toUpperCase() as "HOST" | "NONE" | "BRIDGE",
            },
          },
        }),
  }));
  const tracker = new ExecuteTracker(specs.map((s) => s.taskId!));
  const agentOf = new Map<string, string>();
  const scheduler = new Scheduler({
    bus,
    cluster: o.cluster,
    framework: { name: o.name, roles: [o.role], failoverTimeout: o.failoverTimeout },
    ...(credential ? { credential } : {}),
    logger,
  });

  const finished = new Promise<void>((resolve) => {
    scheduler.on("update", (status: TaskStatus) => {
      if (!tracker.update(status.taskId, status.state)) return;
      print(status, agentOf.get(status.taskId));
      if (tracker.done) resolve();
    });
  });

  // Offers are placed one batch at a time so two batches never pick the same pending task.
  let placing = Promise.resolve();
  scheduler.on("offers", (offers: Offer[]) => {
    placing = placing
      .then(() => place(offers))
      .catch((err: unknown) => logger.error({ err }, "placing tasks failed"));
    return placing;
  });

  async function place(offers: Offer[]): Promise<void> {
    const pendingIds = new Set(tracker.pending);
    const { launches } = packTasks(
      offers,
      specs.filter((s) => pendingIds.has(s.taskId!)),
      { role: o.role },
    );
    const used = new Set<string>();
    for (const { offer, tasks } of launches) {
      used.add(offer.id);
      for (const t of tasks) {
        tracker.launched(t.taskId);
        agentOf.set(t.taskId, offer.hostname);
      }
      await scheduler.accept([offer.id], [{ type: "launch", tasks }]);
    }
    const unused = offers.filter((x) => !used.has(x.id)).map((x) => x.id);
    if (unused.length > 0) await scheduler.decline(unused, { refuseSeconds: 1 });
    if (tracker.pending.length === 0) await scheduler.suppress();
  }

  let interrupted = false;
  const interrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`interrupted: killing ${tracker.live.length} task(s)\n`);
    for (const id of tracker.live) void scheduler.kill(id as TaskId).catch(() => {});
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);

  const frameworkId = await scheduler.subscribe().catch((err: unknown) => {
    // The master's refusal (authentication, ACLs) says why: shown as a message, not a stack.
    if (isSchedulerError(err, "SUBSCRIBE_FAILED"))
      throw new CliError("REQUEST_FAILED", `agora execute: ${err.message}`, { cause: err });
    throw err;
  });
  process.stdout.write(
    `subscribed as framework ${frameworkId}; launching ${o.instances} task(s): ${o.command ?? ""}${o.dockerImage ? ` in ${o.dockerImage}` : ""}\n`,
  );

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    if (o.timeout > 0) timer = setTimeout(() => resolve("timeout"), o.timeout * 1000);
  });
  const outcome = await Promise.race([finished.then(() => "done" as const), timedOut]);
  clearTimeout(timer);

  const summary = Object.entries(tracker.summary())
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  if (outcome === "timeout")
    for (const id of tracker.live) await scheduler.kill(id as TaskId).catch(() => {});
  await scheduler.teardown().catch((err: unknown) => logger.warn({ err }, "teardown failed"));
  await scheduler.close();
  await bus.close();

  if (outcome === "timeout") {
    throw new CliError(
      "TIMEOUT",
      `timed out after ${o.timeout}s: ${tracker.pending.length} task(s) never placed; ${summary}`,
    );
  }
  process.stdout.write(`${o.instances} task(s): ${summary}\n`);
  if (!tracker.allFinished) throw new CliError("TASK_FAILED", `not every task finished: ${summary}`);
}

function print(status: TaskStatus, host: string | undefined): void {
  const time = new Date(status.timestamp * 1000).toISOString().slice(11, 23);
  const parts = [time, status.taskId, status.state];
  if (host) parts.push(`on ${host}`);
  if (status.message) parts.push(`(${status.message})`);
  process.stdout.write(`${parts.join(" ")}\n`);
}
