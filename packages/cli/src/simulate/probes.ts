import { readFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { z } from "zod";
import { type PromSample, parsePrometheus } from "./prometheus.js";

/** Linux reports process times in clock ticks; 100 per second on every platform Node runs on. */
const CLOCK_TICKS_PER_SEC = 100;
const REQUEST_TIMEOUT_MS = 30_000;

/** The master's Prometheus metrics; undefined when it did not answer. */
export async function scrapeMetrics(masterUrl: string): Promise<Map<string, PromSample[]> | undefined> {
  try {
    const r = await fetch(`${masterUrl}/metrics`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!r.ok) return undefined;
    return parsePrometheus(await r.text());
  } catch {
    return undefined;
  }
}

/** Resident memory, CPU time (user + system) and niceness of a local process, from /proc; undefined once it is gone. */
export async function readProcess(
  pid: number,
): Promise<{ rssBytes: number; cpuSeconds: number; nice: number } | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile(`/proc/${pid}/status`, "utf8"),
    ]);
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    const nice = Number(fields[16]);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    if (Number.isNaN(ticks) || Number.isNaN(rssKb) || Number.isNaN(nice)) return undefined;
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SEC, nice };
  } catch {
    return undefined;
  }
}

const Connz = z.object({
  connections: z.array(z.object({ name: z.string().optional(), pending_bytes: z.number() })).default([]),
});

/**
 * What nats-server holds for each client connection and has not yet written to it, summed by
 * connection name: a client that falls behind (the master under load) shows a growing number here.
 */
export async function natsPendingBytes(monitorUrl: string): Promise<Record<string, number>> {
  try {
    const r = await fetch(`${monitorUrl}/connz?limit=1024`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const parsed = Connz.safeParse(await r.json());
    if (!parsed.success) return {};
    const out: Record<string, number> = {};
    for (const c of parsed.data.connections) {
      const name = c.name ?? "unnamed";
      out[name] = (out[name] ?? 0) + c.pending_bytes;
    }
    return out;
  } catch {
    return {};
  }
}

/**
 * One `/master/state` request: how long until its headers came and until the whole answer did, and its
 * size; undefined on failure.
 */
export function timeState(
  masterUrl: string,
  now: () => number,
): Promise<{ ms: number; firstByteMs: number; bytes: number } | undefined> {
  // node:http, counting the bytes as they come and keeping none, as curl does: fetch's web stream and
  // its copy into one ArrayBuffer added 100-300 ms of the probe's own at 53 MB (an async iterator 50-100).
  return new Promise((resolve) => {
    const start = now();
    const request = httpGet(`${masterUrl}/master/state`, (response) => {
      const firstByteMs = now() - start;
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on("end", () => {
        clearTimeout(timer);
        resolve(response.statusCode === 200 ? { ms: now() - start, firstByteMs, bytes } : undefined);
      });
      // Cut short (the timeout, or the master gone): no figure.
      response.on("error", () => resolve(undefined));
      response.on("close", () => {
        if (!response.complete) resolve(undefined);
      });
    });
    const timer = setTimeout(() => request.destroy(), REQUEST_TIMEOUT_MS);
    request.on("error", () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}
