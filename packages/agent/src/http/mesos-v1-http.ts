import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MesosAgentApiError } from "../mesos-v1/errors.js";

/** In this (encapsulated) plugin, bodies are read as text, so content types are answered as Mesos does. */
export function withRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
}

/** The JSON body of a v1 API request; Mesos' answers for a missing or unsupported content type. */
export function readMesosJson(request: FastifyRequest): unknown {
  const contentType = request.headers["content-type"];
  if (contentType === undefined) throw new MesosAgentApiError("Expecting 'Content-Type' to be present");
  const mediaType = contentType.split(";", 1)[0]!.trim().toLowerCase();
  if (mediaType === "application/x-protobuf")
    throw new MesosAgentApiError(
      "Expecting 'Content-Type' of application/json: Agora does not speak protobuf",
      415,
    );
  if (mediaType !== "application/json")
    throw new MesosAgentApiError("Expecting 'Content-Type' of application/json", 415);
  const body = typeof request.body === "string" ? request.body : "";
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new MesosAgentApiError(`Failed to parse body into JSON: ${(err as Error).message}`);
  }
}

export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return accept
    .split(",")
    .map((part) => part.split(";", 1)[0]!.trim().toLowerCase())
    .some((t) => t === "application/json" || t === "application/*" || t === "*/*");
}

export function textReply(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type("text/plain; charset=utf-8").send(message);
}

/** Mesos' 405 for a v1 endpoint called with another method than POST. */
export function postOnly(app: FastifyInstance, url: string): void {
  app.route({
    method: ["GET", "PUT", "DELETE", "PATCH"],
    url,
    handler: async (request, reply) =>
      textReply(
        reply.header("allow", "POST"),
        405,
        `Expecting one of { 'POST' }, but received '${request.method}'`,
      ),
  });
}
