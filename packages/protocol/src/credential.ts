import { z } from "zod";

/**
 * A principal and its secret, as an agent presents them when it (re)registers (Mesos' agent
 * `--credential`) and as the master checks them against its `--credentials`.
 */
export const Credential = z
  .object({ principal: z.string().min(1).max(256), secret: z.string().min(1).max(4096) })
  .strict();
export type Credential = z.infer<typeof Credential>;
