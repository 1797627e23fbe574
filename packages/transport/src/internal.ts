/**
 * For sibling packages only (Marathon's and Chronos' repositories), not a framework author's API:
 * it may change with them.
 */
export { encodeJson, KeyedWriter } from "./keyed-writer.js";
