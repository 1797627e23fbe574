import { type Call, type CallOf, CallReply, decode, encode, type FrameworkId, newId } from "@agora/protocol";
import { isSecurityError } from "@agora/security";
import { isTransportError } from "@agora/transport";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Master } from "../master.js";
import { isMesosV1Error, MesosV1Error } from "../mesos-v1/errors.js";
import { fromMesosCall, parseSchedulerCall } from "../mesos-v1/scheduler-calls.js";
import type { EventFormat } from "../mesos-v1/scheduler-events.js";
import type { MesosSchedulerCall } from "../mesos-v1/schemas.js";
import { closeOnShutdown } from "./long-lived.js";
import { SchedulerStreams } from "./mesos-scheduler-streams.js";
import { acceptsJson, readMesosJson, textReply as text, withRawBodies } from "./mesos-v1-http.js";

export interface MesosSchedulerRoutesOptions {
  master: Master;
  /** How long a call waits for the master's reply (default 10 s). */
  callTimeoutMs?: number;
}

const STREAM_HEADER = "mesos-stream-id";

/** Mesos' realm of the scheduler API (`DEFAULT_HTTP_FRAMEWORK_AUTHENTICATION_REALM`). */
const SCHEDULER_REALM = "mesos-master-scheduler";

/**
 * Mesos' v1 scheduler API, `POST /api/v1/scheduler`, JSON only: SUBSCRIBE answers 200 with a
 * RecordIO stream of events and a `Mesos-Stream-Id`; every other call must carry that header and
 * is answered 202. Calls are translated to our protocol and sent over the bus as any framework's;
 * events come back the same way (see docs/mesos-v1.md). Errors are plain text, as Mesos sends them.
 * Under `--authenticate-http-frameworks` every call needs HTTP basic credentials from `--credentials`
 * (401 in Mesos' realm `mesos-master-scheduler` otherwise).
 */
export async function mesosSchedulerRoutes(
  app: FastifyInstance,
  { master, callTimeoutMs = 10_000 }: MesosSchedulerRoutesOptions,
): Promise<void> {
  const link = master.frameworkLink();
  const heartbeatMs = master.snapshot().options.heartbeatIntervalSeconds * 1000;
  const streams = new SchedulerStreams({
    bus: link.bus,
    subjects: link.subjects,
    keepAliveMs: Math.max(50, Math.min(heartbeatMs, link.frameworkTimeoutMs / 3)),
    logger: app.log as never,
    // Dropped here as on the master's own subjects: counted in agora_master_invalid_messages_total.
    onInvalidEvent: (subject, kind) => master.metrics.invalidMessage(subject, kind),
    onClientClosed: (frameworkId) => master.frameworkConnectionClosed(frameworkId),
  });
  const track = closeOnShutdown(app);
  app.addHook("preClose", async () => streams.closeAll());

  withRawBodies(app);

  // Mesos' `--authenticate_http_frameworks`: the realm `mesos-master-scheduler`, checked against the
  // frameworks' `--credentials` before anything else (the HTTP layer leaves this API to it).
  app.addHook("onRequest", async (request, reply) => {
    try {
      master.authentication.checkHttpFramework(basicCredential(request.headers.authorization));
    } catch (err) {
      if (!isSecurityError(err)) throw err;
      return text(reply.header("www-authenticate", `Basic realm="${SCHEDULER_REALM}"`), 401, err.message);
    }
  });

  const send = async (call: Call): Promise<CallReply> => {
    const bytes = await link.bus.request(link.subjects.masterCall, encode(call), {
      timeoutMs: callTimeoutMs,
    });
    const reply = decode(CallReply, bytes);
    if (!reply.ok) throw new MesosV1Error("", "the master's reply was not understood", 500);
    return reply.value;
  };

  app.route({
    method: ["GET", "PUT", "DELETE", "PATCH"],
    url: "/api/v1/scheduler",
    handler: async (request, reply) =>
      text(
        reply.header("allow", "POST"),
        405,
        `Expecting one of { 'POST' }, but received '${request.method}'`,
      ),
  });

  app.post("/api/v1/scheduler", async (request, reply) => {
    try {
      const json = readMesosJson(request);
      const mesosCall = parseSchedulerCall(json);
      if (mesosCall.type === "SUBSCRIBE") return await subscribe(request, reply, mesosCall);
      return await otherCall(request, reply, mesosCall);
    } catch (err) {
      if (isMesosV1Error(err)) return text(reply, err.status, err.message);
      if (isTransportError(err, "NO_RESPONDERS") || isTransportError(err, "TIMEOUT"))
        return text(reply.header("retry-after", "1"), 503, "The master is not ready to serve calls yet");
      throw err;
    }
  });

  async function subscribe(request: FastifyRequest, reply: FastifyReply, mesosCall: MesosSchedulerCall) {
    if (request.headers[STREAM_HEADER] !== undefined)
      return text(reply, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    if (!acceptsJson(request.headers.accept))
      return text(
        reply,
        406,
        "Expecting 'Accept' to allow 'application/json' (Agora does not speak protobuf)",
      );
    const translated = fromMesosCall(mesosCall, () => newId<FrameworkId>());
    if (translated.type !== "subscribe") throw new Error("SUBSCRIBE translated to another call");
    const call = withBasicCredential(translated, request.headers.authorization);
    if (typeof call === "string") return text(reply, 400, call);
    const frameworkId = call.frameworkInfo.id!;
    const capabilities = call.frameworkInfo.capabilities ?? [];
    const format: EventFormat = {
      reservations: capabilities.includes("RESERVATION_REFINEMENT") ? "refined" : "legacy",
      agentPort: (agentId) => master.snapshot().agents.get(agentId)?.info.port,
    };
    const stream = await streams.open(frameworkId, format, call.frameworkInfo.principal);
    let answer: CallReply;
    try {
      answer = await send(call);
    } catch (err) {
      streams.close(stream);
      throw err;
    }
    if (!answer.ok) {
      streams.close(stream);
      return refusal(reply, answer.error);
    }
    const suppressed = mesosCall.subscribe?.suppressed_roles ?? [];
    if (suppressed.length > 0) await send({ type: "suppress", frameworkId, roles: suppressed });
    reply.hijack();
    track(request.raw.socket);
    streams.attach(stream, reply.raw);
    request.log.info({ frameworkId, streamId: stream.streamId }, "framework subscribed over HTTP");
    return reply;
  }

  async function otherCall(request: FastifyRequest, reply: FastifyReply, mesosCall: MesosSchedulerCall) {
    const translated = fromMesosCall(mesosCall, () => {
      throw new Error("only SUBSCRIBE mints framework ids");
    });
    const call =
      translated.type === "subscribe"
        ? withBasicCredential(translated, request.headers.authorization)
        : translated;
    if (typeof call === "string") return text(reply, 400, call);
    // UPDATE_FRAMEWORK is a re-subscribe with the framework's id in our protocol.
    const frameworkId = call.type === "subscribe" ? call.frameworkInfo.id! : call.frameworkId;
    // Mesos' order of checks (src/master/http.cpp, Master::Http::scheduler).
    const framework = master.snapshot().frameworks.get(frameworkId);
    if (!framework) return text(reply, 400, "Framework cannot be found");
    if (!framework.connected) return text(reply, 403, "Framework is not subscribed");
    const stream = streams.get(frameworkId);
    if (!stream) return text(reply, 403, "Framework is not connected via HTTP");
    const streamId = request.headers[STREAM_HEADER];
    if (streamId === undefined)
      return text(reply, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    if (streamId !== stream.streamId)
      return text(
        reply,
        400,
        `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      );
    if (call.type === "subscribe") {
      // The master answers a re-subscribe with SUBSCRIBED, which Mesos' UPDATE_FRAMEWORK does not send.
      streams.swallowSubscribed(stream);
      const answer = await send(call);
      if (!answer.ok) return refusal(reply, answer.error);
      // Suppression is replaced by the update's, as in Mesos (our re-subscribe cleared it).
      const suppressed = mesosCall.update_framework?.suppressed_roles ?? [];
      if (suppressed.length > 0) await send({ type: "suppress", frameworkId, roles: suppressed });
      return reply.code(202).send();
    }
    const answer = await send(call);
    if (!answer.ok) {
      // As in Mesos, an accept or decline of offers that are gone is not an error of the request:
      // the framework learns of it from its tasks' TASK_DROPPED updates.
      const code = answer.error.code;
      if (
        (call.type === "accept" || call.type === "decline") &&
        (code === "UNKNOWN_OFFER" || code === "INVALID_OFFERS")
      )
        return reply.code(202).send();
      return refusal(reply, answer.error);
    }
    if (call.type === "teardown") streams.close(stream);
    return reply.code(202).send();
  }
}

/** The master's refusal of a call as Mesos would word it, with the status Mesos uses. */
function refusal(reply: FastifyReply, error: { code: string; message: string; field?: string | undefined }) {
  switch (error.code) {
    case "FRAMEWORK_REMOVED":
      return text(reply, 403, "Framework has been removed");
    case "UNKNOWN_FRAMEWORK":
      return text(reply, 403, "Framework is not subscribed");
    case "UNAUTHENTICATED":
      return text(reply.header("www-authenticate", 'Basic realm="mesos"'), 401, error.message);
    case "FORBIDDEN":
      return text(reply, 403, error.message);
    case "INVALID_CALL":
      return text(reply, 400, `Failed to validate scheduler::Call: ${error.message}`);
    default:
      return text(reply, 400, error.message);
  }
}

/**
 * Mesos' HTTP framework authentication: the basic credentials of a SUBSCRIBE or UPDATE_FRAMEWORK
 * become the subscribe's principal and secret, which the master checks as a bus framework's (against
 * `--credentials`). A principal in FrameworkInfo that is not the authenticated one is refused (the
 * message, as Mesos words it).
 */
function withBasicCredential(
  call: CallOf<"subscribe">,
  header: string | undefined,
): CallOf<"subscribe"> | string {
  const basic = basicCredential(header);
  if (!basic) return call;
  const principal = call.frameworkInfo.principal;
  if (principal !== undefined && principal !== basic.principal)
    return `Authenticated principal '${basic.principal}' does not match principal '${principal}' set in \`FrameworkInfo\``;
  return {
    ...call,
    frameworkInfo: { ...call.frameworkInfo, principal: basic.principal },
    secret: basic.secret,
  };
}

/** The principal and secret of an `Authorization: Basic …` header, if it carries them. */
function basicCredential(header: string | undefined): { principal: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { principal: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
