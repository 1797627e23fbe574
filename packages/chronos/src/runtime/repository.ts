import type { StateStore } from "@agora/transport";
import { encodeJson, KeyedWriter } from "@agora/transport/internal";
import type { Logger } from "pino";
import { z } from "zod";
import { JobDefinition } from "../model/job.js";
import { JobRun, JobState } from "../model/run.js";

/** Everything Chronos keeps across restarts and leader changes, as loaded when it starts leading. */
export interface StoredChronos {
  frameworkId: string | undefined;
  jobs: JobDefinition[];
  states: Map<string, JobState>;
  /** Every stored run, active and finished. */
  runs: JobRun[];
}

const P = "chronos";
const keys = {
  frameworkId: `${P}.framework-id`,
  jobs: `${P}.jobs.`,
  job: (name: string) => `${P}.jobs.${token(name)}`,
  states: `${P}.state.`,
  state: (name: string) => `${P}.state.${token(name)}`,
  runs: `${P}.runs.`,
  jobRuns: (name: string) => `${P}.runs.${token(name)}.`,
  run: (name: string, id: string) => `${P}.runs.${token(name)}.${token(id)}`,
};

/**
 * Chronos' state in a `StateStore` (a file store in dev mode, JetStream KV in a cluster): the
 * framework id, each job's definition, its state (counters, last slot, parents done) and its runs,
 * one key each, so a change costs one small write rather than rewriting every job (Chronos reloaded
 * them all from ZooKeeper on every pass). Job names and run ids become base64url key tokens, since
 * names may hold dots. Records are read back through their zod schemas; one that does not decode is
 * logged and skipped rather than stopping Chronos.
 */
export class ChronosRepository {
  private readonly writer: KeyedWriter;

  constructor(
    private readonly store: StateStore,
    private readonly logger: Logger,
  ) {
    this.writer = new KeyedWriter(store, logger);
  }

  async load(): Promise<StoredChronos> {
    const [fid, jobs, states, runs] = await Promise.all([
      this.store.get(keys.frameworkId),
      this.store.list(keys.jobs),
      this.store.list(keys.states),
      this.store.list(keys.runs),
    ]);
    const stateByJob = new Map<string, JobState>();
    for (const e of states) {
      const s = this.decodeOne(e.key, e.value, JobState);
      if (s) stateByJob.set(nameOf(e.key), s);
    }
    return {
      frameworkId: fid ? this.decodeOne(fid.key, fid.value, z.string()) : undefined,
      jobs: this.decodeAll(jobs, JobDefinition),
      states: stateByJob,
      runs: this.decodeAll(runs, JobRun),
    };
  }

  /** Awaited: an API write answers only once its job is stored. */
  async saveJob(job: JobDefinition): Promise<void> {
    await this.store.put(keys.job(job.name), encodeJson(job));
  }

  async deleteJob(name: string, runIds: readonly string[]): Promise<void> {
    await this.store.delete(keys.job(name));
    await Promise.all([
      this.writer.delete(keys.state(name)),
      ...runIds.map((id) => this.writer.delete(keys.run(name, id))),
    ]);
  }

  /** Awaited before a run's task is launched: a new leader must know the slot was taken. */
  async saveRun(run: JobRun): Promise<void> {
    await this.store.put(keys.run(run.jobName, run.id), encodeJson(run));
  }

  /** Coalesced per key: a run's state churn costs at most one write in flight. */
  updateRun(run: JobRun): Promise<void> {
    return this.writer.put(keys.run(run.jobName, run.id), run);
  }

  forgetRun(jobName: string, runId: string): Promise<void> {
    return this.writer.delete(keys.run(jobName, runId));
  }

  saveState(name: string, state: JobState): Promise<void> {
    return this.writer.put(keys.state(name), state);
  }

  async saveFrameworkId(id: string): Promise<void> {
    await this.store.put(keys.frameworkId, encodeJson(id));
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  private decodeAll<S extends z.ZodType>(
    entries: readonly { key: string; value: Uint8Array }[],
    schema: S,
  ): z.output<S>[] {
    const out: z.output<S>[] = [];
    for (const e of entries) {
      const v = this.decodeOne(e.key, e.value, schema);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  private decodeOne<S extends z.ZodType>(key: string, value: Uint8Array, schema: S): z.output<S> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(value));
    } catch (err) {
      this.logger.error({ err, key }, "stored record is not JSON; skipped");
      return undefined;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    this.logger.error({ key, issues: parsed.error.issues }, "stored record does not decode; skipped");
    return undefined;
  }
}

function token(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url") || "_";
}

function nameOf(key: string): string {
  return Buffer.from(key.slice(keys.states.length), "base64url").toString("utf8");
}
