/**
 * V8 flags for Agora's long-running processes, given on the `agora` command's `#!` line (where Node
 * reads them; V8 sizes its heap when it starts, so setting them later does nothing) and by the
 * simulator when it starts a master.
 *
 * Semi-spaces of 64 MiB instead of Node 20's 16: the master allocates short-lived objects for every
 * message (decode, validation, encode), and at 10,000 agents a young generation of 32 MiB filled
 * several times a second, promoting objects still in use to the old generation, whose collections
 * then took the master's single thread in long pauses. At 10,000 agents × 400,000 tasks (BENCHMARKS.md,
 * "The master's young generation") the master's CPU per task fell 15 % and the agents resent no update;
 * it costs up to 96 MiB more resident memory.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
