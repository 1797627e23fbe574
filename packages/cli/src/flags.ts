import { DEFAULT_CLUSTER, parseAttributes, parseResources } from "@agora/protocol";
import { z } from "zod";

/** Flag value schemas shared by several commands; every flag arrives as a string. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const host = (fallback: string) => z.string().min(1).default(fallback);
export const natsUrl = z
  .string()
  .regex(/^(nats|tls|ws|wss):\/\/[^\s]+$/, "must be a NATS URL such as nats://127.0.0.1:4222 (comma-separate several)")
  .refine((s) => s.split(",").every((u) => /^(nats|tls|ws|wss):\/\/\S+$/.test(u)), "every comma-separated URL must be a NATS URL");
export const cluster = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '_' or '-'")
  .default(DEFAULT_CLUSTER);

/** A Mesos resources string, checked here so a typo fails at the flag, not later in the agent. */
export const resourcesText = z.string().superRefine((text, ctx) => {
  try {
    parseResources(text);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});

export const attributesText = z.string().transform((text, ctx) => {
  try {
    return parseAttributes(text);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});
