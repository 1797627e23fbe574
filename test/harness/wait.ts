import { waitFor as poll, type WaitOptions } from "@agora/transport/testing";

/**
 * `waitFor` of @agora/transport/testing with cross-process defaults: 30 s, polling every 50 ms
 * (each check is an HTTP request or a process lookup, not a map read).
 */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  { timeoutMs = 30_000, intervalMs = 50 }: WaitOptions = {},
): Promise<T> {
  return poll(check, what, { timeoutMs, intervalMs });
}
