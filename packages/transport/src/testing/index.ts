/** Test harnesses for packages built on the transport: conformance suites and `waitFor`. Not built. */
export { type BusFixture, describeBusConformance } from "./bus-conformance.js";
export { expectCode } from "./expect-code.js";
export {
  describeStateStoreConformance,
  type StateStoreConformanceOptions,
  type StateStoreFixture,
} from "./state-store-conformance.js";
export { type WaitOptions, waitFor } from "./wait-for.js";
