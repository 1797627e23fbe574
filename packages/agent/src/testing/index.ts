/**
 * Test harnesses of the agent for tests and benchmarks outside the package: an agent registered
 * with a fake master on an in-process bus, shell tasks, and whether Docker tests can run. Not built.
 */
export { type AgentFixture, startAgent } from "../test-support/agent-fixture.js";
export { dockerAvailable, TEST_IMAGE } from "../test-support/docker-available.js";
export { FakeMaster, shellTask } from "../test-support/fake-master.js";
