import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import type { CustomExecutors, ExecutorSink } from "../executors/custom-executor.js";
import { isMesosAgentApiError } from "../mesos-v1/errors.js";
import { parseExecutorCall } from "../mesos-v1/executor-calls.js";
import { recordIo } from "../mesos-v1/executor-events.js";
import { acceptsJson, postOnly, readMesosJson, textReply as text, withRawBodies } from "./mesos-v1-http.js";

/**
 * Mesos' executor HTTP API, `POST /api/v1/executor`, JSON only: SUBSCRIBE answers 200 with a
 * RecordIO stream of events (SUBSCRIBED, LAUNCH, KILL, ACKNOWLEDGED, MESSAGE, SHUTDOWN, HEARTBEAT);
 * UPDATE, MESSAGE and HEARTBEAT answer 202. Errors are plain text with Mesos' messages.
 */
export async function mesosExecutorRoutes(
  app: FastifyInstance,
  { executors }: { executors: CustomExecutors },
): Promise<void> {
  const open = new Set<ServerResponse>();
  // A stream stays open as long as its executor runs; the server's close must not wait for it.
  app.addHook("preClose", async () => {
    for (const raw of open) raw.end();
  });
  withRawBodies(app);
  postOnly(app, "/api/v1/executor");

  app.post("/api/v1/executor", async (request, reply) => {
    try {
      const call = parseExecutorCall(readMesosJson(request));
      const { frameworkId, executorId } = call;
      switch (call.type) {
        case "SUBSCRIBE": {
          if (!acceptsJson(request.headers.accept))
            return text(
              reply,
              406,
              "Expecting 'Accept' to allow 'application/json' (Agora does not speak protobuf)",
            );
          const raw = reply.raw;
          let started = false;
          const sink: ExecutorSink = {
            send(event) {
              if (raw.writableEnded) return;
              if (!started) {
                // The head goes with the first event: a refused SUBSCRIBE throws before it.
                started = true;
                reply.hijack();
                raw.writeHead(200, { "content-type": "application/json" });
                open.add(raw);
              }
              raw.write(recordIo(event));
            },
            close() {
              if (started && !raw.writableEnded) raw.end();
            },
          };
          executors.subscribe(frameworkId, executorId, sink);
          raw.on("close", () => {
            open.delete(raw);
            executors.disconnected(frameworkId, executorId, sink);
          });
          return reply;
        }
        case "UPDATE":
          executors.update(frameworkId, executorId, call.status);
          return reply.code(202).send();
        case "MESSAGE":
          executors.message(frameworkId, executorId, call.data);
          return reply.code(202).send();
        case "HEARTBEAT":
          return reply.code(202).send();
        case "UNKNOWN":
          return text(reply, 501, "Received an UNKNOWN call");
      }
    } catch (err) {
      if (isMesosAgentApiError(err)) return text(reply, err.status, err.message);
      throw err;
    }
  });
}
