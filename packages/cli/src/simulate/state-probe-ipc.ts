import { z } from "zod";

/** How the simulator starts its state probe: the one argument, as JSON. */
export const StateProbeConfig = z
  .object({
    masterUrl: z.string().min(1),
    /** Pause between the end of one request and the start of the next. */
    intervalMs: z.number().int().nonnegative(),
  })
  .strict();
export type StateProbeConfig = z.infer<typeof StateProbeConfig>;

/** Parent → probe: finish the request in flight and end. */
export const StateProbeCommand = z.object({ type: z.literal("stop") }).strict();
export type StateProbeCommand = z.infer<typeof StateProbeCommand>;

/** Probe → parent: one per request. */
export const StateProbeReport = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("state"),
      /** When the request was sent, ms since the epoch (`performance.timeOrigin` based: sub-ms, one clock for both processes). */
      sentAt: z.number().nonnegative(),
      /** Until the whole answer was read. */
      ms: z.number().nonnegative(),
      /** Until its headers came (the master writes them with the whole body). */
      firstByteMs: z.number().nonnegative(),
      bytes: z.number().int().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal("failed") }).strict(),
]);
export type StateProbeReport = z.infer<typeof StateProbeReport>;
