import type { FastifyInstance, InjectOptions } from "fastify";
import { createChronosHttp } from "../http/server.js";
import type { JobDefinitionInput } from "../model/job.js";
import { MemoryChronos } from "./memory-chronos.js";

/** A `MemoryChronos` behind `createChronosHttp`, with shorthands for the tests of `http/`. */
export class ChronosHttpHarness {
  readonly service = new MemoryChronos();
  readonly http: FastifyInstance;

  constructor(options: Parameters<typeof createChronosHttp>[1] = {}) {
    this.http = createChronosHttp(this.service, options);
  }

  inject(method: InjectOptions["method"], url: string, payload?: unknown) {
    return this.http.inject({
      method,
      url,
      ...(payload === undefined
        ? {}
        : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
    });
  }

  /** POSTs a scheduled job to `/v1/scheduler/iso8601` and fails the test unless it is taken. */
  async scheduled(name: string, extra: Partial<JobDefinitionInput> = {}): Promise<void> {
    const res = await this.inject("POST", "/v1/scheduler/iso8601", {
      name,
      command: `echo ${name}`,
      schedule: "R/2026-01-01T00:00:00Z/PT1H",
      ...extra,
    });
    if (res.statusCode !== 204) throw new Error(`POST iso8601 ${name}: ${res.statusCode} ${res.body}`);
  }

  /** POSTs a dependent job to `/v1/scheduler/dependency` and fails the test unless it is taken. */
  async dependent(name: string, parents: string[], extra: Partial<JobDefinitionInput> = {}): Promise<void> {
    const res = await this.inject("POST", "/v1/scheduler/dependency", {
      name,
      command: `echo ${name}`,
      parents,
      ...extra,
    });
    if (res.statusCode !== 204) throw new Error(`POST dependency ${name}: ${res.statusCode} ${res.body}`);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** Listens on a free 127.0.0.1 port and returns `host:port`. */
export async function listen(http: FastifyInstance): Promise<string> {
  await http.listen({ port: 0, host: "127.0.0.1" });
  const address = http.server.address();
  return `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}
