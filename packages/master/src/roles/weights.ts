import { RoleName } from "@agora/protocol";
import { z } from "zod";

/** One role's weight, as Mesos' `/weights` reads and writes it. */
export const WeightInfo = z.object({ role: RoleName, weight: z.number().positive().finite() }).strict();
export type WeightInfo = z.infer<typeof WeightInfo>;
export const WeightInfos = z.array(WeightInfo);
