import type { AppDefinition } from "./app-definition.js";

/**
 * True when two definitions differ at most in `instances` and their version stamps (`version`,
 * `versionInfo`): what Marathon calls the same config. Field order and undefined fields do not count.
 */
export function sameConfig(a: AppDefinition, b: AppDefinition): boolean {
  return canonical(configOf(a)) === canonical(configOf(b));
}

function configOf(app: AppDefinition): Omit<AppDefinition, "instances" | "version" | "versionInfo"> {
  const { instances: _i, version: _v, versionInfo: _vi, ...config } = app;
  return config;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
