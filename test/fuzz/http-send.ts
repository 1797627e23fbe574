import http from "node:http";
import type { FuzzRequest } from "./http-requests.js";
import { wellFormed } from "./nasty.js";

/** What came back for one request. */
export interface FuzzResponse {
  /** 0 when no response came (connection reset, timeout). */
  readonly status: number;
  readonly contentType: string;
  /** The first bytes of the body (a stream is cut after its first chunk). */
  readonly body: string;
  readonly error?: string;
}

/** Longest a request may take to answer before it counts as a hang. */
const ANSWER_TIMEOUT_MS = 15_000;
/** Bytes of a body kept for checks and reports. */
const KEEP = 4_096;

/**
 * Sends one request over `agent`'s connections with node:http, which, unlike fetch, sends any method
 * with a body and a raw request target. A 2xx without a length is a stream (SSE, Mesos RecordIO,
 * a file download): it is cut after its first chunk; any other body is read to the end.
 */
export function send(agent: http.Agent, base: URL, r: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const done = (res: FuzzResponse) => {
      clearTimeout(timer);
      resolve(res);
    };
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, contentType: "", body: "", error: `no answer within ${ANSWER_TIMEOUT_MS} ms` });
    }, ANSWER_TIMEOUT_MS);
    const body = typeof r.body === "string" ? Buffer.from(r.body) : r.body;
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: `${base.pathname.replace(/\/$/, "")}${safeTarget(r.target)}`,
        headers: { ...r.headers, ...(body ? { "content-length": String(body.length) } : {}) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const contentType = String(res.headers["content-type"] ?? "");
        const chunks: Buffer[] = [];
        let kept = 0;
        const stream = status < 300 && res.headers["content-length"] === undefined && r.method !== "HEAD";
        const finish = () =>
          done({ status, contentType, body: Buffer.concat(chunks).toString("utf8").slice(0, KEEP) });
        res.on("data", (c: Buffer) => {
          if (kept < KEEP) {
            chunks.push(c);
            kept += c.length;
          }
          if (stream) {
            res.destroy();
            finish();
          }
        });
        res.on("end", finish);
        res.on("error", finish);
        // A stream that sends nothing at first (a long poll) is cut once its head has come.
        if (stream)
          setTimeout(() => {
            res.destroy();
            finish();
          }, 200).unref();
      },
    );
    req.on("error", (err) => done({ status: 0, contentType: "", body: "", error: err.message }));
    req.end(body);
  });
}

/** node:http refuses spaces and non-ASCII on the request line; send those percent-encoded. */
function safeTarget(target: string): string {
  const t = target.startsWith("/") ? target : `/${target}`;
  return wellFormed(t).replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** Runs `items` through `work`, `concurrency` at a time, in order of start. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
