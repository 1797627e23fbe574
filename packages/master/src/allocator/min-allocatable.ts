import { type Resource, scalarOf } from "@agora/protocol";

/**
 * Mesos' default `min_allocatable_resources` (`cpus:0.01|mem:32`): resources are worth offering
 * when they hold at least one of these quantities. Smaller leftovers would only produce offers no
 * task can use.
 */
export const MIN_ALLOCATABLE = { cpus: 0.01, mem: 32 } as const;

export function isAllocatable(resources: readonly Resource[]): boolean {
  return (
    scalarOf(resources, "cpus") >= MIN_ALLOCATABLE.cpus || scalarOf(resources, "mem") >= MIN_ALLOCATABLE.mem
  );
}
