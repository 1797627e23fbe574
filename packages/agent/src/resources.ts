import { statfs } from "node:fs/promises";
import os from "node:os";
import { normalize, parseResources, type Resource } from "@agora/protocol";

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Mesos' default port range for agents (`DEFAULT_PORTS`). */
export const DEFAULT_PORTS = { begin: 31000, end: 32000 } as const;

/** What the host has, so detection can be tested without depending on the machine it runs on. */
export interface HostFacts {
  cpus(): number;
  totalMemoryBytes(): number;
  /** Total size of the filesystem holding `dir`, in bytes. */
  diskBytes(dir: string): Promise<number>;
}

export const osHostFacts: HostFacts = {
  cpus: () => os.availableParallelism(),
  totalMemoryBytes: () => os.totalmem(),
  diskBytes: async (dir) => {
    const s = await statfs(dir);
    return s.blocks * s.bsize;
  },
};

/** Mesos leaves 1 GB to the host when it has at least 2 GB, otherwise half. */
export function defaultMemMb(totalBytes: number): number {
  const usable = totalBytes >= 2 * GB ? totalBytes - GB : totalBytes / 2;
  return Math.floor(usable / MB);
}

/** Mesos leaves 5 GB of the work directory's filesystem when it has at least 10 GB, otherwise half. */
export function defaultDiskMb(totalBytes: number): number {
  const usable = totalBytes >= 10 * GB ? totalBytes - 5 * GB : totalBytes / 2;
  return Math.floor(usable / MB);
}

export interface DetectResourcesOptions {
  /** The `--resources` flag in Mesos' text form, e.g. `cpus:2;mem:1024;ports:[31000-32000];cpus(eng):1`. */
  resources?: string;
  /** The agent's work directory: disk is measured on the filesystem that holds it. */
  workDir: string;
  /** Defaults to the real host. */
  host?: HostFacts;
}

/**
 * The agent's total resources, as Mesos computes them (`Containerizer::resources`): every name the
 * `--resources` flag mentions is taken from the flag exactly as written (reserved entries such as
 * `cpus(eng):1` become static reservations), and each of cpus, mem, disk and ports the flag does
 * not mention is detected: all cpus, memory and disk less the host's reserve, `ports:[31000-32000]`.
 * Throws the protocol's `ProtocolError` (INVALID_RESOURCES) for a malformed flag.
 *
 * @example
 * const resources = await detectResources({ resources: "cpus:2;cpus(eng):1", workDir: "/var/lib/agora" });
 */
export async function detectResources(options: DetectResourcesOptions): Promise<Resource[]> {
  const host = options.host ?? osHostFacts;
  const given = options.resources ? parseResources(options.resources, "--resources") : [];
  const named = new Set(given.map((r) => r.name));
  const detected: Resource[] = [];
  if (!named.has("cpus")) detected.push({ name: "cpus", scalar: host.cpus() });
  if (!named.has("mem")) detected.push({ name: "mem", scalar: defaultMemMb(host.totalMemoryBytes()) });
  if (!named.has("disk"))
    detected.push({ name: "disk", scalar: defaultDiskMb(await host.diskBytes(options.workDir)) });
  if (!named.has("ports")) detected.push({ name: "ports", ranges: [{ ...DEFAULT_PORTS }] });
  return normalize([...detected, ...given]);
}
