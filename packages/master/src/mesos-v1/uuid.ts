import { MesosV1Error } from "./errors.js";

/**
 * Status update uuids: ours are uuid strings, Mesos' are the 16 bytes of the uuid, base64 in JSON
 * (protobuf `bytes`). Translating both ways keeps them the same uuid.
 */
export function uuidToBase64(uuid: string): string {
  return Buffer.from(uuid.replaceAll("-", ""), "hex").toString("base64");
}

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
