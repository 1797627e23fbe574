import type { FastifyInstance } from "fastify";

/** `/health` for load balancers and the test harness; `/master/health` as Mesos has it. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/master/health", async () => ({ status: "ok" }));
}
