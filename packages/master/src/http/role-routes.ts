import type { FastifyInstance } from "fastify";
import { MasterError } from "../errors.js";
import type { Master } from "../master.js";
import { WeightInfos } from "../roles/weights.js";

export interface RoleRoutesOptions {
  master: Master;
}

/** The operator endpoints for roles: `/weights` (Mesos' shape: `[{role, weight}]`). */
export async function roleRoutes(app: FastifyInstance, { master }: RoleRoutesOptions): Promise<void> {
  app.get("/weights", async () => master.weights());
  app.put("/weights", async (request, reply) => {
    const parsed = WeightInfos.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new MasterError("INVALID_REQUEST", `weights: ${issue.message}`, { field: issue.path.join(".") });
    }
    await master.updateWeights(parsed.data);
    return reply.code(200).send(master.weights());
  });
}
