/**
 * What sibling packages, the CLI, benchmarks and cross-process tests use beside the agent's API:
 * an executor that runs no process (launch benchmarks and the simulator measure the path through
 * master, bus and agent, not `fork()`), the checkpoint (its benchmark), and the updates an agent's
 * journal holds unacknowledged (fault tests).
 */

/** The agent's checkpoint, which the checkpoint benchmark drives on the machine's disks. */
export { AgentCheckpoint } from "./checkpoint.js";
export { NoopExecutor, type NoopExecutorOptions } from "./executors/noop-executor.js";
export { journalledUpdates } from "./file-update-journal.js";
