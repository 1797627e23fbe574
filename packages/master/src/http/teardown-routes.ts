import { parse as parseForm } from "node:querystring";
import { firstIssue } from "@agora/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import { teardownAuthorized } from "./authorize.js";

export interface TeardownRoutesOptions {
  master: Master;
}

/** The body of `POST /teardown`: Mesos' form `frameworkId=<id>` (a JSON `{frameworkId}` is read too). */
const TeardownRequest = z.object({
  frameworkId: z.string({ error: "frameworkId is required" }).min(1, "frameworkId is required"),
});

/**
 * Mesos' operator teardown: `POST /teardown` (also `/master/teardown`) with the form body
 * `frameworkId=<id>` kills the framework's tasks and moves it to the completed frameworks, whether
 * or not it is connected; 200 with an empty body, as Mesos. A missing id is a 400 naming
 * `frameworkId`; an unknown or already torn-down framework a 404 (`UNKNOWN_FRAMEWORK`).
 *
 * @example
 * curl -X POST localhost:5050/teardown -d frameworkId=8f0c…-0000
 */
export async function teardownRoutes(app: FastifyInstance, { master }: TeardownRoutesOptions): Promise<void> {
  // Scoped to this plugin: Mesos' clients send the id as a form.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, parseForm(body as string)),
  );
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = TeardownRequest.safeParse(request.body ?? {});
    if (!parsed.success) {
      // The id is the only field: a body that is not an object at all still lacks it.
      const { message } = firstIssue(parsed.error);
      throw new MasterError("INVALID_REQUEST", `teardown: ${message}`, { field: "frameworkId" });
    }
    teardownAuthorized(master, request, parsed.data.frameworkId);
    return reply.code(200).send();
  };
  app.post("/teardown", handler);
  app.post("/master/teardown", handler);
}
