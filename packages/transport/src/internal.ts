/**
 * For sibling packages only (Marathon's and Chronos' repositories, every role's HTTP server), not a
 * framework author's API: it may change with them.
 */
export { encodeJson, KeyedWriter } from "./keyed-writer.js";
export { trackUnusedConnections } from "./unused-connections.js";
