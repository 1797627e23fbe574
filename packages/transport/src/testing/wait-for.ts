/** How long `waitFor` polls, and how often. */
export interface WaitOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Default 5 ms: in-process checks are cheap; cross-process harnesses poll less often. */
  readonly intervalMs?: number;
}

type Falsy = undefined | null | false | 0 | "";

/**
 * Polls `check` until it returns a truthy value (which it resolves to), or fails after the timeout
 * naming `what` and the last error `check` threw. Tests wait for conditions, never for fixed times.
 * The one polling helper of the repository: the master's harness and the cross-process harness
 * (`test/harness/wait.ts`) use it too.
 *
 * @example
 * const task = await waitFor(() => master.snapshot().tasks.get(id), "the task to be booked");
 */
export async function waitFor<T>(
  check: () => T | Falsy | Promise<T | Falsy>,
  what: string,
  options: WaitOptions | number = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 5 } =
    typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
