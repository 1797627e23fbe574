/**
 * V8 flags for Agora's long-running processes, given on the `agora` command's `#!` line (where Node
 * reads them; V8 sizes its heap when it starts, so setting them later does nothing) and by the
 * simulator to the master it starts and to its agent hosts.
 *
 * Semi-spaces of 64 MiB instead of Node 20's 16: the master allocates short-lived objects for every
 * message (decode, validation, encode), and with the default young generation, garbage collection was
 * 18 % of its busy time at 10,000 agents. Three alternating pairs at 10,000 agents × 400,000 tasks
 * (BENCHMARKS.md, "The master's young generation"): its CPU per task fell 7–18 % in each pair (0.156–0.171 against
 * 0.184–0.205 ms), but its resident memory at the peak of that launch rose by 200–400 MB.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
