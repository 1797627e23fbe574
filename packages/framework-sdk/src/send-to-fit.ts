import { isTransportError } from "@agora/transport";

/**
 * Sends the call `send` builds from `items`; when the bus refuses it as over its max payload, sends
 * it again in halves, each a call of its own, as the master splits its own events. For the calls
 * whose list the framework sizes: a decline of every offer it held, an explicit reconciliation of
 * every task it knows (Marathon's, at tens of thousands of tasks, is several MB).
 */
export async function sendToFit<T>(
  items: readonly T[],
  send: (part: readonly T[]) => unknown,
): Promise<void> {
  try {
    await send(items);
  } catch (err) {
    const tooLarge = isTransportError(err instanceof Error ? err.cause : undefined, "PAYLOAD_TOO_LARGE");
    if (items.length < 2 || !tooLarge) throw err;
    const half = Math.ceil(items.length / 2);
    await sendToFit(items.slice(0, half), send);
    await sendToFit(items.slice(half), send);
  }
}
