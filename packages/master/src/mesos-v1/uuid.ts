import { MesosV1Error } from "./errors.js";

export { uuidToBase64 } from "@agora/protocol/mesos-v1";

/** A Mesos uuid (base64 of 16 bytes) as our uuid string; `field` names it in the error. */
export function uuidFromBase64(base64: string, field: string): string {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length !== 16 || bytes.toString("base64") !== normalizeBase64(base64))
    throw new MesosV1Error(field, "must be the 16 bytes of a status update uuid, base64-encoded");
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function normalizeBase64(s: string): string {
  const std = s.replaceAll("-", "+").replaceAll("_", "/");
  return std.padEnd(std.length + ((4 - (std.length % 4)) % 4), "=");
}
