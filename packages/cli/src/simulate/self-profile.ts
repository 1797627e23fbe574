import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";

/** A V8 CPU profile of this very process, running until `stop` writes it. */
export interface SelfProfile {
  stop(file: string): Promise<void>;
}

/**
 * Starts profiling the simulator's own process (its SDK frameworks and probes): it cannot be given
 * `--cpu-prof` once running, so the profiler is driven through the inspector, as DevTools would.
 */
export async function profileSelf(): Promise<SelfProfile> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(file) {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      await writeFile(file, JSON.stringify(profile));
    },
  };
}
